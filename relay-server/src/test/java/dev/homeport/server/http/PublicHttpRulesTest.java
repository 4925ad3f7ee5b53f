package dev.homeport.server.http;

import dev.homeport.testsupport.FrozenTime;
import dev.homeport.server.tunnel.HostName;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The public HTTP listener's rules, without sockets: what is refused, what is rewritten, how errors look. */
class PublicHttpRulesTest {
    private static final HttpSettings SETTINGS = HttpSettings.on(null, "example.com");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "Content-Length beside Transfer-Encoding | POST / HTTP/1.1\\r\\nHost: a.example.com\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400",
            "a coding before chunked                 | POST / HTTP/1.1\\r\\nHost: a.example.com\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n | 400",
            "two Transfer-Encoding headers           | POST / HTTP/1.1\\r\\nHost: a.example.com\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400",
            "Transfer-Encoding on HTTP/1.0           | POST / HTTP/1.0\\r\\nHost: a.example.com\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400",
            "two different Content-Lengths           | POST / HTTP/1.1\\r\\nHost: a.example.com\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n | 400",
            "two Host headers                        | GET / HTTP/1.1\\r\\nHost: a.example.com\\r\\nHost: b.example.com\\r\\n\\r\\n | 400",
            "no Host header                          | GET / HTTP/1.1\\r\\n\\r\\n | 400",
            "a space in a header name                | GET / HTTP/1.1\\r\\nHost: a.example.com\\r\\nX Y: 1\\r\\n\\r\\n | 400",
            "a bare LF line ending                   | GET / HTTP/1.1\\nHost: a.example.com\\n\\n | 400",
            "a request line over 4096 bytes          | GET /LONG HTTP/1.1\\r\\nHost: a.example.com\\r\\n\\r\\n | 414",
            "a head over 16 KiB                      | GET / HTTP/1.1\\r\\nHost: a.example.com\\r\\nX-Big: BIG\\r\\n\\r\\n | 431",
            "Transfer-Encoding chunked, identity     | POST / HTTP/1.1\\r\\nHost: a.example.com\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n | 400",
            "whitespace before a header colon       | GET / HTTP/1.1\\r\\nHost: a.example.com\\r\\nX-Forwarded-For : 6.6.6.6\\r\\n\\r\\n | 400",
            "a control character in a header name    | GET / HTTP/1.1\\r\\nHost: a.example.com\\r\\nX-A\\u0001B: 1\\r\\n\\r\\n | 400",
            "obs-fold (a line starting with a space) | GET / HTTP/1.1\\r\\nHost: a.example.com\\r\\nX-A: 1\\r\\n  folded\\r\\n\\r\\n | 400",
            "obs-fold with a tab                     | GET / HTTP/1.1\\r\\nHost: a.example.com\\r\\nX-A: 1\\r\\n\\tfolded\\r\\n\\r\\n | 400",
            "a body starting with a space            | POST / HTTP/1.1\\r\\nHost: a.example.com\\r\\nContent-Length: 2\\r\\n\\r\\n x | 0",
            "a plain chunked request                 | POST / HTTP/1.1\\r\\nHost: a.example.com\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 0",
            "a request with a length                 | POST / HTTP/1.1\\r\\nHost: a.example.com\\r\\nContent-Length: 0\\r\\n\\r\\n | 0",
    })
    void requestsThatTwoParsersCouldFrameDifferentlyAreRefused(String what, String raw, int status) {
        String request = raw.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\u0001", "\u0001")
                .replace("LONG", "x".repeat(5000)).replace("BIG", "y".repeat(17 * 1024));
        EmbeddedChannel ch = FrozenTime.channel(new PublicRequestDecoder(SETTINGS));
        try {
            ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
            HttpRequest decoded = ch.readInbound();
            RequestChecks.Rejection rejection = RequestChecks.check(decoded);
            ReferenceCountUtil.release(decoded);
            if (status == 0) {
                assertThat(rejection).as(what).isNull();
            } else {
                assertThat(rejection).as(what).isNotNull();
                assertThat(rejection.status().code()).as(what).isEqualTo(status);
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aRequestHeadNotCompleteWithinTheTimeoutClosesTheConnection() {
        HttpSettings settings = SETTINGS.withHeaderTimeout(Duration.ofSeconds(10));
        EmbeddedChannel ch = FrozenTime.channel(new PublicRequestDecoder(settings));
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a.exa", StandardCharsets.US_ASCII));
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectionWaitingForItsAnswerOrIdleBetweenRequestsHasNoHeadDeadline() {
        EmbeddedChannel ch = FrozenTime.channel(new PublicRequestDecoder(SETTINGS));
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n", StandardCharsets.US_ASCII));
        ch.advanceTimeBy(1, TimeUnit.HOURS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isTrue();
        // The first byte of the next request starts the next deadline.
        ch.writeInbound(Unpooled.copiedBuffer("G", StandardCharsets.US_ASCII));
        ch.advanceTimeBy(11, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void spoofedForwardingHeadersAreReplacedFromAnUntrustedPeer() throws Exception {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "a.example.com:8080").add("X-Forwarded-For", "6.6.6.6")
                .add("Forwarded", "for=6.6.6.6").add("X-Real-IP", "6.6.6.6").add("X-Forwarded-Port", "1");
        ForwardedHeaders.apply(h, InetAddress.getByName("2001:db8::7"), false, "http");
        assertThat(h.getAll("X-Forwarded-For")).containsExactly("2001:db8:0:0:0:0:0:7");
        assertThat(h.get("Forwarded")).isEqualTo("for=\"[2001:db8:0:0:0:0:0:7]\";host=\"a.example.com:8080\";proto=http");
        assertThat(h.get("X-Forwarded-Host")).isEqualTo("a.example.com:8080");
        assertThat(h.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(h.contains("X-Real-IP")).isFalse();
        assertThat(h.contains("X-Forwarded-Port")).isFalse();
    }

    @Test
    void headerNamesOtherThanLettersDigitsAndDashesAreDroppedAndTheRelaysForwardingHeadersStayItsOwn() throws Exception {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "a.example.com").add("X_Forwarded_For", "6.6.6.6")
                .add("x-forwarded_proto", "https").add("X.Real.IP", "6.6.6.6").add("X~Custom", "1").add("Accept-Language", "en");
        HeaderHygiene.cleanHead(h);
        ForwardedHeaders.apply(h, InetAddress.getByName("192.0.2.1"), false, "http");
        assertThat(h.names()).containsExactlyInAnyOrder("Host", "Accept-Language", "x-forwarded-for", "x-forwarded-proto",
                "x-forwarded-host", "forwarded");
        assertThat(h.get("X-Forwarded-For")).isEqualTo("192.0.2.1");
    }

    @Test
    void fieldsNamedInConnectionAndTheStandardHopByHopSetAreRemovedButAnUpgradeStays() throws Exception {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "a.example.com")
                .add("Connection", "keep-alive, X-Forwarded-For,Authorization").add("Connection", "Upgrade ,X-Other")
                .add("Upgrade", "websocket").add("Authorization", "Bearer x").add("X-Other", "1").add("X-Forwarded-For", "6.6.6.6")
                .add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive").add("Proxy-Authorization", "Basic eA==")
                .add("TE", "trailers").add("Sec-WebSocket-Key", "k");
        Set<String> hopByHop = HeaderHygiene.cleanHead(h);
        ForwardedHeaders.apply(h, InetAddress.getByName("10.0.0.5"), true, "http"); // even a trusted proxy's is gone
        assertThat(hopByHop).containsExactlyInAnyOrder("x-forwarded-for", "authorization", "x-other");
        assertThat(h.getAll("Connection")).containsExactly("keep-alive, Upgrade");
        assertThat(h.get("Upgrade")).isEqualTo("websocket");
        assertThat(h.get("X-Forwarded-For")).isEqualTo("10.0.0.5");
        assertThat(h.names()).doesNotContain("Authorization", "X-Other", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "TE")
                .contains("Sec-WebSocket-Key");

        HttpHeaders noOption = new DefaultHttpHeaders().add("Host", "a.example.com").add("Connection", "X-A").add("Upgrade", "h2c");
        HeaderHygiene.cleanHead(noOption);
        assertThat(noOption.names()).containsExactly("Host"); // an Upgrade without the upgrade option is not one
    }

    @ParameterizedTest
    @CsvSource({"Host", "content-length", "Transfer-Encoding"})
    void aRequestThatNamesAFramingOrRoutingFieldInConnectionIsRefused(String field) {
        EmbeddedChannel ch = FrozenTime.channel(new PublicRequestDecoder(SETTINGS));
        try {
            ch.writeInbound(Unpooled.copiedBuffer("POST / HTTP/1.1\r\nHost: a.example.com\r\nConnection: close, " + field
                    + "\r\nContent-Length: 0\r\n\r\n", StandardCharsets.US_ASCII));
            HttpRequest decoded = ch.readInbound();
            RequestChecks.Rejection rejection = RequestChecks.check(decoded);
            ReferenceCountUtil.release(decoded);
            assertThat(rejection).isNotNull();
            assertThat(rejection.status().code()).isEqualTo(400);
            assertThat(rejection.reason()).isEqualTo("Connection may not name " + field.toLowerCase(java.util.Locale.ROOT));
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void trailersLoseForwardingHopByHopAndOddlyNamedFieldsWhoeverSentThem() {
        EmbeddedChannel ch = FrozenTime.channel(new PublicRequestDecoder(SETTINGS));
        try {
            ch.writeInbound(Unpooled.copiedBuffer("POST / HTTP/1.1\r\nHost: a.example.com\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: X-Hop\r\n\r\n0\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nX_Real_IP: 6.6.6.6\r\n"
                    + "Host: b.example.com\r\nX-Hop: 1\r\nTE: trailers\r\nX-Checksum: abc\r\n\r\n", StandardCharsets.US_ASCII));
            HttpRequest head = ch.readInbound();
            Set<String> hopByHop = HeaderHygiene.cleanHead(head.headers());
            ReferenceCountUtil.release(head);
            io.netty.handler.codec.http.LastHttpContent last = ch.readInbound();
            HeaderHygiene.cleanTrailers(last.trailingHeaders(), hopByHop);
            assertThat(last.trailingHeaders().names()).containsExactly("X-Checksum");
            last.release();
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aTrustedProxysForwardingHeadersAreExtended() throws Exception {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "a.example.com").add("X-Forwarded-For", "198.51.100.1")
                .add("X-Forwarded-For", "198.51.100.2").add("X-Forwarded-Proto", "https");
        ForwardedHeaders.apply(h, InetAddress.getByName("10.0.0.5"), true, "http");
        assertThat(h.get("X-Forwarded-For")).isEqualTo("198.51.100.1, 198.51.100.2, 10.0.0.5");
        assertThat(h.get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(h.get("Forwarded")).isEqualTo("for=10.0.0.5;host=a.example.com;proto=http");
    }

    @Test
    void trustedProxiesAreCidrBlocksOfEitherFamily() throws Exception {
        TrustedProxies p = TrustedProxies.parse(List.of("10.0.0.0/8", "192.168.1.7", "2001:db8::/32"));
        assertThat(p.contains(InetAddress.getByName("10.200.3.4"))).isTrue();
        assertThat(p.contains(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(p.contains(InetAddress.getByName("192.168.1.7"))).isTrue();
        assertThat(p.contains(InetAddress.getByName("192.168.1.8"))).isFalse();
        assertThat(p.contains(InetAddress.getByName("2001:db8:ffff::1"))).isTrue();
        assertThat(p.contains(InetAddress.getByName("2001:db9::1"))).isFalse();
        assertThat(TrustedProxies.NONE.contains(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33"))).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("proxy.example.com"))).hasMessageContaining("--trusted-proxy");
    }

    @ParameterizedTest
    @CsvSource({"Jupyter.Example.COM:8080, jupyter.example.com", "jupyter.example.com., jupyter.example.com",
            "jupyter.example.com, jupyter.example.com", "'[::1]:80', '[::1]'", "a:b:c, ''"})
    void theHostHeaderIsComparedWithoutCaseOrPort(String header, String host) {
        assertThat(HostName.fromHostHeader(header)).isEqualTo(host);
    }

    @ParameterizedTest
    @CsvSource({"application/json, true", "'text/html,application/json;q=0.9', false", "*/*, false",
            "'application/json, text/html;q=0.5', true", "'application/*;q=0.8, text/*;q=0.2', true",
            "'text/html;q=0, application/json;q=0.1', true", "'', false"})
    void errorPagesAreJsonOnlyWhenTheClientRanksJsonAboveHtml(String accept, boolean json) {
        assertThat(ErrorPage.prefersJson(accept)).isEqualTo(json);
    }

    @Test
    void anErrorPageEscapesWhatTheClientSentAndClosesTheConnection() {
        ByteBuf page = ErrorPage.render(ByteBufAllocator.DEFAULT, HttpResponseStatus.NOT_FOUND, "No tunnel serves <b>\"x\".", false);
        ByteBuf json = ErrorPage.render(ByteBufAllocator.DEFAULT, HttpResponseStatus.NOT_FOUND, "No tunnel serves <b>\"x\".", true);
        try {
            String html = page.toString(StandardCharsets.UTF_8);
            assertThat(html).startsWith("HTTP/1.1 404 Not Found\r\n").contains("Connection: close\r\n")
                    .contains("&lt;b&gt;&quot;x&quot;").doesNotContain("<b>");
            String body = json.toString(StandardCharsets.UTF_8);
            assertThat(body.substring(body.indexOf("\r\n\r\n") + 4))
                    .isEqualTo("{\"error\": \"No tunnel serves \\u003cb\\u003e\\\"x\\\".\", \"status\": 404}\n");
        } finally {
            page.release();
            json.release();
        }
    }
}
