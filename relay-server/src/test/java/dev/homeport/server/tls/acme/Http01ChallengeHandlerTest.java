package dev.homeport.server.tls.acme;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP-01 answer on the public HTTP port: only the relay's own pending tokens, for their host; the rest passes on. */
class Http01ChallengeHandlerTest {
    private static final String TOKEN = "tok-123";
    private static final String KEY_AUTHORIZATION = "tok-123.thumbprint";

    private final PendingChallenges pending = new PendingChallenges();

    Http01ChallengeHandlerTest() {
        pending.addHttp("web.example.com", TOKEN, KEY_AUTHORIZATION);
    }

    @Test
    void aPendingTokenIsAnsweredWithItsKeyAuthorizationAndTheConnectionCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http01ChallengeHandler(pending));
        ByteBuf body = Unpooled.copiedBuffer("ignored", StandardCharsets.US_ASCII);
        ch.writeInbound(request(HttpMethod.GET, "Web.Example.com:80", "/.well-known/acme-challenge/" + TOKEN),
                new DefaultLastHttpContent(body));

        ByteBuf answer = ch.readOutbound();
        String text = answer.toString(StandardCharsets.US_ASCII);
        answer.release();
        assertThat(text).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: " + KEY_AUTHORIZATION.length() + "\r\n")
                .contains("Connection: close\r\n").endsWith("\r\n\r\n" + KEY_AUTHORIZATION);
        assertThat(body.refCnt()).as("the rest of the request is dropped and released").isZero();
        assertThat((Object) ch.readInbound()).as("nothing reaches host routing").isNull();
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void aPendingTokenAskedForUnderAnotherHostPassesOnToRouting() {
        assertPassesOn(request(HttpMethod.GET, "other.example.com", "/.well-known/acme-challenge/" + TOKEN));
    }

    @Test
    void aTokenTheRelayDidNotAskForPassesOnToTheTunnel() {
        assertPassesOn(request(HttpMethod.GET, "web.example.com", "/.well-known/acme-challenge/someone-elses"));
    }

    @Test
    void otherMethodsAndPathsPassOn() {
        assertPassesOn(request(HttpMethod.POST, "web.example.com", "/.well-known/acme-challenge/" + TOKEN));
        assertPassesOn(request(HttpMethod.GET, "web.example.com", "/index.html"));
    }

    @Test
    void aTokenIsNoLongerAnsweredOnceItsChallengeEnded() {
        pending.removeHttp("web.example.com", TOKEN);
        assertPassesOn(request(HttpMethod.GET, "web.example.com", "/.well-known/acme-challenge/" + TOKEN));
    }

    private void assertPassesOn(HttpRequest request) {
        EmbeddedChannel ch = new EmbeddedChannel(new Http01ChallengeHandler(pending));
        ch.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat((Object) ch.readInbound()).isSameAs(request);
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(ch.pipeline().get(Http01ChallengeHandler.class)).as("the handler leaves after the first request").isNull();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    private static HttpRequest request(HttpMethod method, String host, String uri) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        r.headers().set("Host", host);
        return r;
    }
}
