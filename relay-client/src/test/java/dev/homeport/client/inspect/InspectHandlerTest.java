package dev.homeport.client.inspect;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The inspector's view of one local connection, on an EmbeddedChannel: bytes written are requests, bytes read responses. */
class InspectHandlerTest {
    private final ExchangeRing ring = new ExchangeRing(3);
    private final EmbeddedChannel ch = new EmbeddedChannel(new InspectHandler(ring, "web", 8, 0, null));

    private void request(String... parts) {
        for (String p : parts) {
            ByteBuf b = Unpooled.copiedBuffer(p, StandardCharsets.ISO_8859_1);
            ch.writeOutbound(b);
            ByteBuf passed = ch.readOutbound();
            assertThat(passed).as("forwarded unchanged, same buffer").isSameAs(b);
            assertThat(passed.toString(StandardCharsets.ISO_8859_1)).isEqualTo(p);
            passed.release();
        }
    }

    private void response(String... parts) {
        for (String p : parts) {
            ByteBuf b = Unpooled.copiedBuffer(p, StandardCharsets.ISO_8859_1);
            ch.writeInbound(b);
            ByteBuf passed = ch.readInbound();
            assertThat(passed).isSameAs(b);
            assertThat(passed.readerIndex()).isZero();
            passed.release();
        }
    }

    @Test
    void aRequestSplitAnywhereAndItsResponseBecomeOneExchangeWithHeadersSizesAndABoundedPreview() {
        request("POST /api?x=1 HTTP/1.1\r\nHost: a\r\nContent-Le", "ngth: 11\r\n\r\nhello", " world");
        assertThat(ring.newestFirst()).singleElement().satisfies(e -> assertThat(e.state()).isEqualTo(Exchange.PENDING));
        response("HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\n", "abc");
        Exchange e = ring.newestFirst().get(0);
        assertThat(e.method()).isEqualTo("POST");
        assertThat(e.path()).isEqualTo("/api?x=1");
        assertThat(e.status()).isEqualTo(201);
        assertThat(e.state()).isEqualTo(Exchange.DONE);
        assertThat(e.durationMs()).isGreaterThanOrEqualTo(0);
        assertThat(e.requestHeader("content-length")).isEqualTo("11");
        assertThat(e.requestBytes()).isEqualTo(11);
        assertThat(new String(e.requestPreview(), StandardCharsets.US_ASCII)).isEqualTo("hello wo"); // body limit 8
        assertThat(e.requestComplete()).isFalse();
        assertThat(new String(e.responsePreview(), StandardCharsets.US_ASCII)).isEqualTo("abc");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void pipelinedRequestsMatchTheirResponsesInOrderAndChunkedBodiesAreFollowed() {
        request("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\nHTTP/1.1 404 Not",
                " Found\r\nContent-Length: 0\r\n\r\n");
        List<Exchange> all = ring.newestFirst();
        assertThat(all).extracting(Exchange::path).containsExactly("/2", "/1");
        assertThat(all).extracting(Exchange::status).containsExactly(404, 200);
        assertThat(all.get(1).responseBytes()).isEqualTo(5);
        assertThat(new String(all.get(1).responsePreview(), StandardCharsets.US_ASCII)).isEqualTo("abcde");
        assertThat(all).extracting(Exchange::state).containsOnly(Exchange.DONE);
        ch.finishAndReleaseAll();
    }

    @Test
    void aHeadRequestsResponseHasNoBodyAndAnInterimContinueIsNotTheEnd() {
        request("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
        response("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n");
        request("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        response("HTTP/1.1 100 Continue\r\n\r\n");
        assertThat(ring.newestFirst().get(0).state()).isEqualTo(Exchange.PENDING);
        request("ok");
        response("HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(ring.newestFirst()).extracting(Exchange::status).containsExactly(204, 200);
        assertThat(ring.newestFirst()).extracting(Exchange::state).containsOnly(Exchange.DONE);
        ch.finishAndReleaseAll();
    }

    @Test
    void afterAWebSocketUpgradeFramesAreCountedBothWays() {
        request("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        response("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        // Two masked client frames (5-byte payloads), split inside a header; one unmasked 126-length server frame.
        request("\u0081\u0085mask" + "hello" + "\u0081", "\u0085mask" + "hello");
        response("\u0082\u007e\u0001\u0000" + "x".repeat(256));
        ch.close();
        Exchange e = ring.newestFirst().get(0);
        assertThat(e.webSocket()).isTrue();
        assertThat(e.status()).isEqualTo(101);
        assertThat(e.framesIn()).isEqualTo(2);
        assertThat(e.framesOut()).isEqualTo(1);
        assertThat(e.state()).isEqualTo(Exchange.DONE);
        ch.finishAndReleaseAll();
    }

    @Test
    void aResponseThatRunsUntilCloseEndsWithTheConnectionAndAnUnansweredRequestIsAborted() {
        request("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
        response("HTTP/1.0 200 OK\r\n\r\nuntil the end");
        ch.close();
        List<Exchange> all = ring.newestFirst();
        assertThat(all.get(1).state()).isEqualTo(Exchange.DONE);
        assertThat(all.get(1).responseBytes()).isEqualTo(13);
        assertThat(all.get(0).state()).isEqualTo(Exchange.ABORTED);
        ch.finishAndReleaseAll();
    }

    @Test
    void theRingKeepsOnlyItsCapacityNewestFirst() {
        for (int i = 0; i < 10; i++) {
            request("GET /" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
            response("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        }
        assertThat(ring.size()).isEqualTo(3);
        assertThat(ring.newestFirst()).extracting(Exchange::path).containsExactly("/9", "/8", "/7");
        ch.finishAndReleaseAll();
    }

    @Test
    void anOversizedHeadIsNoLongerFollowedButItsBytesStillPass() {
        request("GET /" + "a".repeat(InspectSettings.MAX_HEAD_BYTES) + " HTTP/1.1\r\n\r\n");
        response("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertThat(ring.size()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void secretsAreMaskedInTheJsonUnlessShown() {
        request("GET /lab?token=abc123&x=1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer s3cret\r\nCookie: a=1; _xsrf=zz\r\n\r\n");
        response("HTTP/1.1 200 OK\r\nSet-Cookie: sid=deadbeef; Path=/\r\nContent-Length: 0\r\n\r\n");
        Exchange e = ring.newestFirst().get(0);
        String masked = new ExchangeJson(false).summary(e).toString();
        assertThat(masked).doesNotContain("abc123", "s3cret", "deadbeef", "zz")
                .contains("token=" + SecretMask.MASK + "&x=1", "Bearer " + SecretMask.MASK, "sid=" + SecretMask.MASK);
        assertThat(new ExchangeJson(true).summary(e).toString()).contains("abc123", "s3cret", "deadbeef");
        ch.finishAndReleaseAll();
    }
}
