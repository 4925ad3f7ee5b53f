package dev.homeport.e2e;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.FileTokenDirectory;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.http.TrustedProxies;
import dev.homeport.server.tunnel.Tunnel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * HTTP tunnels by host name, end to end: a relay with a public HTTP port, clients that each serve a
 * host name from a local HTTP service, and public clients that speak raw bytes to it, well-formed or
 * not. Every scenario also shows what did not happen: no refused request reaches a service.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpTunnelTest {
    private static final String TOKEN = "http-tunnel-test-token";
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void twoClientsServeTwoHostNamesThroughOnePublicPortAtOnce() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        HttpEchoService beta = service("beta");
        String alphaUrl = bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        String betaUrl = bind(client(relay, TOKEN, TunnelSpec.http("b", "127.0.0.1", beta.port(), "beta.example.com")));

        int port = relay.httpAddress().getPort();
        assertThat(alphaUrl).isEqualTo("http://alpha.example.com:" + port); // completed with the relay's --domain
        assertThat(betaUrl).isEqualTo("http://beta.example.com:" + port);
        try (RawHttp toAlpha = connect(relay); RawHttp toBeta = connect(relay)) {
            for (int i = 0; i < 3; i++) {
                toAlpha.send(RawHttp.get("Alpha.Example.COM:" + port, "/a" + i)); // Host is case-insensitive, port stripped
                toBeta.send(RawHttp.get("beta.example.com", "/b" + i));
                RawHttp.Response a = toAlpha.read();
                RawHttp.Response b = toBeta.read();
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.body()).startsWith("service=alpha\n").contains("GET /a" + i + " HTTP/1.1");
                assertThat(b.status()).isEqualTo(200);
                assertThat(b.body()).startsWith("service=beta\n").contains("GET /b" + i + " HTTP/1.1");
            }
        }
    }

    @Test
    void anUnknownHostIsA404PageOrJsonForAClientThatPrefersIt() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));

        RawHttp.Response html = exchange(relay, RawHttp.get("nobody.example.com", "/", "Accept: text/html,*/*;q=0.8"));
        assertThat(html.status()).isEqualTo(404);
        assertThat(html.header("content-type")).startsWith("text/html");
        assertThat(html.header("connection")).isEqualTo("close");
        assertThat(html.body()).contains("404 Not Found").contains("nobody.example.com")
                .doesNotContain("127.0.0.1").doesNotContain(String.valueOf(alpha.port()));

        RawHttp.Response json = exchange(relay, RawHttp.get("nobody.example.com", "/", "Accept: application/json"));
        assertThat(json.status()).isEqualTo(404);
        assertThat(json.header("content-type")).isEqualTo("application/json");
        assertThat(json.body()).isEqualTo("{\"error\": \"No tunnel serves nobody.example.com on this relay.\", \"status\": 404}\n");

        RawHttp.Response escaped = exchange(relay, RawHttp.get("<script>x</script>", "/"));
        assertThat(escaped.status()).isEqualTo(404);
        assertThat(escaped.body()).doesNotContain("<script>").contains("&lt;script&gt;");
        assertThat(alpha.connections.get()).isZero();
    }

    @Test
    void aClientWhoseLocalServiceIsDownAnswers502NamingOnlyTheHost() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        bind(client(relay, TOKEN, TunnelSpec.http("down", "127.0.0.1", closedPort, "down")));

        RawHttp.Response html = exchange(relay, RawHttp.get("down.example.com", "/"));
        assertThat(html.status()).isEqualTo(502);
        assertThat(html.body()).contains("502 Bad Gateway").contains("down.example.com")
                .doesNotContain("127.0.0.1").doesNotContain(String.valueOf(closedPort)).doesNotContain("refused");
        RawHttp.Response json = exchange(relay, RawHttp.get("down.example.com", "/", "Accept: application/json, text/html;q=0.5"));
        assertThat(json.status()).isEqualTo(502);
        assertThat(json.body()).startsWith("{\"error\": ").endsWith("\"status\": 502}\n");
    }

    @Test
    void aTunnelWhoseClientIsAwayAnswers502UntilTheSameTokenComesBack() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        RelayClient first = client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha"));
        bind(first);
        first.close();
        await("the relay holds alpha.example.com for its token, with no session",
                () -> relay.tunnels().stream().anyMatch(t -> t.hostname().equals("alpha.example.com") && t.session() == null));

        RawHttp.Response offline = exchange(relay, RawHttp.get("alpha.example.com", "/"));
        assertThat(offline.status()).isEqualTo(502);
        assertThat(offline.body()).contains("alpha.example.com").contains("offline");

        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        assertThat(exchange(relay, RawHttp.get("alpha.example.com", "/")).status()).isEqualTo(200);
    }

    @Test
    void forwardingHeadersAreSetByTheRelayAndSpoofedOnesRemoved() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        String host = "alpha.example.com:" + relay.httpAddress().getPort();

        RawHttp.Response r = exchange(relay, RawHttp.get(host, "/who",
                "X-Forwarded-For: 6.6.6.6", "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example.net",
                "Forwarded: for=6.6.6.6;proto=https", "X-Real-IP: 6.6.6.6"));

        assertThat(r.status()).isEqualTo(200);
        String seen = alpha.lastHead();
        assertThat(seen).contains("x-forwarded-for: 127.0.0.1\n", "x-forwarded-proto: http\n",
                "x-forwarded-host: " + host + "\n", "forwarded: for=127.0.0.1;host=\"" + host + "\";proto=http\n",
                "host: " + host + "\n");
        assertThat(seen).doesNotContain("6.6.6.6").doesNotContain("evil.example.net").doesNotContain("https")
                .doesNotContain("x-real-ip");
    }

    @Test
    void aTrustedProxysForwardingHeadersAreKeptAndExtended() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN),
                s -> s.withTrustedProxies(TrustedProxies.parse(List.of("127.0.0.0/8"))));
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));

        RawHttp.Response r = exchange(relay, RawHttp.get("alpha.example.com", "/",
                "X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: https", "Forwarded: for=203.0.113.7;proto=https"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(alpha.lastHead()).contains("x-forwarded-for: 203.0.113.7, 127.0.0.1\n", "x-forwarded-proto: https\n",
                "forwarded: for=203.0.113.7;proto=https, for=127.0.0.1;host=alpha.example.com;proto=http\n");
    }

    @Test
    void aWsgiServiceNeverSeesForwardingHeadersSpoofedWithUnderscores() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        WsgiEchoService wsgi = WsgiEchoService.start(dir);
        open.add(wsgi);
        bind(client(relay, TOKEN, TunnelSpec.http("w", "127.0.0.1", wsgi.port(), "wsgi")));

        // wsgiref files X_Forwarded_For under HTTP_X_FORWARDED_FOR too: before the fix it saw 6.6.6.6,127.0.0.1.
        RawHttp.Response underscores = exchange(relay, RawHttp.get("wsgi.example.com", "/",
                "X_Forwarded_For: 6.6.6.6", "x_forwarded_proto: https", "X_Real_IP: 6.6.6.6", "Forwarded_: for=6.6.6.6",
                "X.Forwarded.Host: evil.example.net", "X_Custom: from-public", "X-Kept: yes"));
        assertThat(underscores.status()).isEqualTo(200);
        assertThat(underscores.body()).contains("HTTP_X_FORWARDED_FOR=127.0.0.1\n", "HTTP_X_FORWARDED_PROTO=http\n",
                        "HTTP_X_FORWARDED_HOST=wsgi.example.com\n", "HTTP_X_KEPT=yes\n")
                .doesNotContain("6.6.6.6").doesNotContain("https").doesNotContain("evil").doesNotContain("HTTP_X_CUSTOM")
                .doesNotContain("HTTP_X_REAL_IP");
    }

    @Test
    void fieldsNamedInConnectionAreHopByHopButTheRelaysOwnForwardingHeadersStay() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        WsgiEchoService wsgi = WsgiEchoService.start(dir);
        open.add(wsgi);
        bind(client(relay, TOKEN, TunnelSpec.http("w", "127.0.0.1", wsgi.port(), "wsgi")));

        // Named in Connection, a field is hop-by-hop: it goes, except that the relay still sets its own.
        RawHttp.Response hopByHop = exchange(relay, RawHttp.get("wsgi.example.com", "/",
                "Connection: keep-alive, X-Forwarded-For, Authorization, X-Secret", "Authorization: Bearer hop-only",
                "X-Secret: hop-only", "Keep-Alive: timeout=5", "TE: trailers", "Proxy-Authorization: Basic aG9wOm9ubHk=",
                "Upgrade: h2c"));
        assertThat(hopByHop.status()).isEqualTo(200);
        assertThat(hopByHop.body()).contains("HTTP_X_FORWARDED_FOR=127.0.0.1\n", "HTTP_CONNECTION=keep-alive\n")
                .doesNotContain("hop-only").doesNotContain("HTTP_AUTHORIZATION").doesNotContain("HTTP_X_SECRET")
                .doesNotContain("HTTP_KEEP_ALIVE").doesNotContain("HTTP_TE").doesNotContain("HTTP_PROXY_AUTHORIZATION")
                .doesNotContain("HTTP_UPGRADE"); // an Upgrade without the upgrade option is not one

        // Fields that frame or route the request cannot be made hop-by-hop: the request is refused.
        RawHttp.Response framing = exchange(relay, "POST / HTTP/1.1\r\nHost: wsgi.example.com\r\nConnection: Content-Length\r\n"
                + "Content-Length: 5\r\n\r\nhello");
        assertThat(framing.status()).isEqualTo(400);
        assertThat(framing.body()).contains("Connection may not name content-length");
    }

    @Test
    void forwardingHeadersAndHopByHopFieldsInChunkedTrailersNeverReachTheService() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));

        RawHttp.Response r = exchange(relay, "POST /t HTTP/1.1\r\nHost: alpha.example.com\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: X-Hop\r\n\r\n5\r\nhello\r\n0\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\n"
                + "X_Forwarded_Proto: https\r\nX-Real-IP: 6.6.6.6\r\nHost: evil.example.net\r\nX-Hop: hop-only\r\n"
                + "X-Checksum: 5d41402a\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("body=hello\n");
        String seen = alpha.lastHead();
        assertThat(seen).contains("trailer x-checksum: 5d41402a\n", "x-forwarded-for: 127.0.0.1\n")
                .doesNotContain("6.6.6.6").doesNotContain("evil.example.net").doesNotContain("https")
                .doesNotContain("hop-only").doesNotContain("x_forwarded");
    }

    @Test
    void twoRequestsOnOneKeepAliveConnectionTravelOneStreamAndAnotherHostIsMisdirected() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        HttpEchoService beta = service("beta");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        bind(client(relay, TOKEN, TunnelSpec.http("b", "127.0.0.1", beta.port(), "beta")));

        try (RawHttp c = connect(relay)) {
            RawHttp.Response one = c.send(RawHttp.get("alpha.example.com", "/one")).read();
            RawHttp.Response two = c.send("POST /two HTTP/1.1\r\nHost: alpha.example.com\r\nContent-Length: 5\r\n\r\nhello").read();
            assertThat(one.status()).isEqualTo(200);
            assertThat(two.status()).isEqualTo(200);
            assertThat(two.body()).contains("body=hello\n").contains("POST /two HTTP/1.1");
            assertThat(alpha.connections.get()).as("one stream, so one connection to the service").isEqualTo(1);

            RawHttp.Response other = c.send(RawHttp.get("beta.example.com", "/three", "Accept: application/json")).read();
            assertThat(other.status()).isEqualTo(421);
            assertThat(other.body()).contains("beta.example.com").contains("\"status\": 421");
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(beta.connections.get()).isZero();
        assertThat(alpha.requestHeads).hasSize(2);
    }

    @Test
    void requestsPipelinedBeforeARefusedOneAreAnsweredInOrderThenTheRefusalThenTheClose() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        HttpEchoService beta = service("beta");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        bind(client(relay, TOKEN, TunnelSpec.http("b", "127.0.0.1", beta.port(), "beta")));

        try (RawHttp c = connect(relay)) { // one write: the relay reads both requests at once, before any stream is open
            c.send(RawHttp.get("alpha.example.com", "/first") + RawHttp.get("beta.example.com", "/second"));
            RawHttp.Response first = c.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).startsWith("service=alpha\n").contains("GET /first HTTP/1.1");
            assertThat(c.read().status()).isEqualTo(421);
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        String smuggling = "POST /x HTTP/1.1\r\nHost: alpha.example.com\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
        try (RawHttp c = connect(relay)) { // two good ones with a body each, then a refused one, then bytes that are dropped
            c.send("POST /a HTTP/1.1\r\nHost: alpha.example.com\r\nContent-Length: 5\r\n\r\nhello"
                    + "POST /b HTTP/1.1\r\nHost: alpha.example.com\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                    + smuggling + RawHttp.get("alpha.example.com", "/never"));
            c.finishSending(); // a FIN behind them does not cut the answers short
            assertThat(c.read().body()).contains("POST /a HTTP/1.1").contains("body=hello\n");
            assertThat(c.read().body()).contains("POST /b HTTP/1.1").contains("body=abc\n");
            assertThat(c.read().status()).isEqualTo(400);
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        try (RawHttp c = connect(relay)) { // the stream is open already when a good request and a misdirected one come together
            assertThat(c.send(RawHttp.get("alpha.example.com", "/open")).read().status()).isEqualTo(200);
            c.send(RawHttp.get("alpha.example.com", "/c") + RawHttp.get("nobody.example.com", "/d", "Accept: application/json"));
            assertThat(c.read().body()).contains("GET /c HTTP/1.1");
            RawHttp.Response misdirected = c.read();
            assertThat(misdirected.status()).isEqualTo(421);
            assertThat(misdirected.body()).contains("\"status\": 421");
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        try (RawHttp c = connect(relay)) { // a good request, then one whose chunked body is broken, in one read
            c.send(RawHttp.get("alpha.example.com", "/e")
                    + "POST /f HTTP/1.1\r\nHost: alpha.example.com\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
            assertThat(c.read().body()).contains("GET /e HTTP/1.1");
            assertThat(c.read().status()).isEqualTo(400);
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        try (RawHttp c = connect(relay)) { // behind an upgrade that the service declines, the refusal waits for its verdict
            c.send(RawHttp.get("alpha.example.com", "/g", "Upgrade: websocket", "Connection: Upgrade")
                    + RawHttp.get("beta.example.com", "/h"));
            RawHttp.Response declined = c.read();
            assertThat(declined.status()).isEqualTo(200);
            assertThat(declined.body()).contains("GET /g HTTP/1.1").contains("upgrade: websocket\n");
            assertThat(c.read().status()).isEqualTo(421);
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(alpha.requestHeads).extracting(h -> h.substring(0, h.indexOf(' ', h.indexOf(' ') + 1)))
                .containsExactly("GET /first", "POST /a", "POST /b", "GET /open", "GET /c", "GET /e", "GET /g");
        assertThat(beta.connections.get()).isZero();
    }

    @Test
    void bodiesPassThroughChunkedOrLargeAndAHalfClosingClientStillGetsItsAnswer() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));

        try (RawHttp c = connect(relay)) {
            RawHttp.Response chunked = c.send("POST /c HTTP/1.1\r\nHost: alpha.example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertThat(chunked.status()).isEqualTo(200);
            assertThat(chunked.body()).contains("body=hello world\n"); // re-chunked by the relay, de-chunked by the service

            byte[] large = new byte[8 << 20]; // many times the stream window: the upload is paced by credit
            new java.util.Random(7).nextBytes(large);
            c.send(("PUT /big HTTP/1.1\r\nHost: alpha.example.com\r\nContent-Length: " + large.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            c.send(large);
            assertThat(c.read().body()).contains("body=" + large.length + " bytes sha256=" + HttpEchoService.sha256(large));
        }
        for (int i = 0; i < 20; i++) { // the FIN may arrive with the request, before the stream is open: it must wait its turn
            try (RawHttp c = connect(relay)) {
                c.send(RawHttp.get("alpha.example.com", "/last" + i, "Connection: close"));
                c.finishSending(); // like `nc -N`
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).contains("GET /last" + i + " HTTP/1.1");
            }
        }
        assertThat(alpha.requestHeads).hasSize(22);
    }

    @Test
    void anOverlongRequestLineIs414AndOverlargeHeadersAre431() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));

        assertThat(exchange(relay, RawHttp.get("alpha.example.com", "/" + "x".repeat(5000))).status()).isEqualTo(414);
        assertThat(exchange(relay, RawHttp.get("alpha.example.com", "/", "X-Big: " + "y".repeat(17 * 1024))).status())
                .isEqualTo(431);
        assertThat(exchange(relay, "GET / HTTP/1.1\r\n\r\n").status()).isEqualTo(400); // no Host: nothing to route by
        assertThat(alpha.connections.get()).isZero();
    }

    @Test
    void aWebSocketUpgradePassesThroughAndCarriesFramesBothWaysWithNoIdleCutOff() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        String key = RawHttp.webSocketKey();

        try (RawHttp ws = connect(relay)) {
            RawHttp.Response switching = ws.send(RawHttp.get("alpha.example.com", "/ws", "Upgrade: websocket",
                    "Connection: Upgrade", "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13")).read();
            assertThat(switching.status()).isEqualTo(101);
            assertThat(switching.header("sec-websocket-accept")).isEqualTo(RawHttp.expectedAccept(key));
            assertThat(ws.readText()).isEqualTo("welcome from alpha"); // the service speaks first

            for (int i = 0; i < 3; i++) {
                ws.sendText("ping " + i);
                assertThat(ws.readText()).isEqualTo("echo: ping " + i);
                Thread.sleep(HEAD_TIMEOUT.toMillis() + 300); // quiet longer than the head deadline: the socket stays up
            }
            // Bytes that look like HTTP are frames now, not requests: they reach the service unparsed.
            ws.sendText("GET / HTTP/1.1");
            assertThat(ws.readText()).isEqualTo("echo: GET / HTTP/1.1");
        }
        assertThat(alpha.requestHeads).isEmpty(); // the upgrade request went to the WebSocket handler, not the echo
    }

    @Test
    void aDeclinedUpgradeLeavesTheConnectionInHttpWhereEveryRequestIsCheckedAgain() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        String upgrade = RawHttp.get("alpha.example.com", "/plain", "Upgrade: websocket", "Connection: Upgrade");
        String spoofed = RawHttp.get("alpha.example.com", "/next", "X-Forwarded-For: 6.6.6.6");

        try (RawHttp c = connect(relay)) {
            assertThat(c.send(upgrade).read().status()).isEqualTo(200); // the service ignores the upgrade
            assertThat(c.send(spoofed).read().status()).isEqualTo(200);
            assertThat(alpha.lastHead()).startsWith("GET /next ").contains("x-forwarded-for: 127.0.0.1\n").doesNotContain("6.6.6.6");
            assertThat(c.send("POST / HTTP/1.1\r\nHost: alpha.example.com\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .read().status()).isEqualTo(400);
        }
        try (RawHttp c = connect(relay)) { // both requests in one write: the second waits for the verdict on the first
            c.send(upgrade + spoofed);
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read().body()).contains("GET /next ").contains("x-forwarded-for: 127.0.0.1\n").doesNotContain("6.6.6.6");
        }
        assertThat(alpha.requestHeads).hasSize(4);
    }

    @Test
    void contentLengthBesideTransferEncodingIs400AndNeverForwarded() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));

        String smuggling = "POST / HTTP/1.1\r\nHost: alpha.example.com\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: alpha.example.com\r\n\r\n";
        RawHttp.Response r = exchange(relay, smuggling);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("400 Bad Request");
        RawHttp.Response gzip = exchange(relay,
                "POST / HTTP/1.1\r\nHost: alpha.example.com\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        assertThat(gzip.status()).isEqualTo(400);
        RawHttp.Response badName = exchange(relay, "GET / HTTP/1.1\r\nHost: alpha.example.com\r\nBad Header: x\r\n\r\n");
        assertThat(badName.status()).isEqualTo(400);
        assertThat(alpha.connections.get()).as("nothing reached the service").isZero();
        assertThat(alpha.bytesReceived.get()).isZero();

        // On a connection that already has its stream, a smuggling attempt is refused just the same.
        try (RawHttp c = connect(relay)) {
            assertThat(c.send(RawHttp.get("alpha.example.com", "/fine")).read().status()).isEqualTo(200);
            assertThat(c.send(smuggling).read().status()).isEqualTo(400);
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(alpha.requestHeads).hasSize(1);
        assertThat(alpha.lastHead()).startsWith("GET /fine ").doesNotContain("/admin");
    }

    @Test
    void aConnectionThatSendsHalfARequestHeadIsClosedWithinTheHeaderTimeoutWhileOthersAreServed() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), s -> s);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TOKEN, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));

        try (RawHttp slow = connect(relay); RawHttp silent = connect(relay)) {
            long start = System.nanoTime();
            slow.send("GET / HTTP/1.1\r\nHost: alpha.example.com\r\nX-Slow: ");
            assertThat(exchange(relay, RawHttp.get("alpha.example.com", "/")).status()).isEqualTo(200);
            slow.send("a"); // trickling bytes does not extend the deadline
            assertThat(slow.closedWithin(Duration.ofSeconds(5))).isTrue();
            assertThat(silent.closedWithin(Duration.ofSeconds(5))).isTrue();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(tookMillis).isBetween(HEAD_TIMEOUT.toMillis() - 100, HEAD_TIMEOUT.toMillis() + 2_000);
        }
        assertThat(alpha.requestHeads).hasSize(1);
    }

    @Test
    void aTokenMayBindOnlyItsOwnHostNamesAndNothingIsRoutedForARefusedOne() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        String alice = file.add("alice", new TokenRights(null, List.of("alice.example.com")));
        FileTokenDirectory tokens = new FileTokenDirectory(file);
        open.add(tokens);
        RelayServer relay = relay(tokens, s -> s);
        HttpEchoService service = service("alice-home");

        RelayClient intruder = client(relay, alice, TunnelSpec.http("b", "127.0.0.1", service.port(), "bob.example.com"));
        assertThat(intruder.failure().get(10, TimeUnit.SECONDS))
                .isEqualTo("relay refused tunnel b: token alice may not bind host bob.example.com");
        assertThat(exchange(relay, RawHttp.get("bob.example.com", "/")).status()).isEqualTo(404);

        String own = bind(client(relay, alice, TunnelSpec.http("a", "127.0.0.1", service.port(), "alice")));
        assertThat(own).startsWith("http://alice.example.com:");
        assertThat(exchange(relay, RawHttp.get("alice.example.com", "/")).status()).isEqualTo(200);
        assertThat(service.requestHeads).hasSize(1);
    }

    @Test
    void ofFiftyConcurrentClaimsOfOneHostNameExactlyOneWins() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            secrets.add(file.add("user" + i, new TokenRights(null, List.of("*.example.com"))));
        }
        FileTokenDirectory tokens = new FileTokenDirectory(file);
        open.add(tokens);
        RelayServer relay = relay(tokens, s -> s);
        HttpEchoService service = service("shared");

        List<RelayClient> clients = new ArrayList<>();
        for (String secret : secrets) {
            clients.add(client(relay, secret, TunnelSpec.http("s", "127.0.0.1", service.port(), "shared")));
        }
        int won = 0;
        List<String> refusals = new ArrayList<>();
        for (RelayClient c : clients) {
            CompletableFuture.anyOf(c.bound(), c.failure()).exceptionally(e -> null).get(30, TimeUnit.SECONDS);
            if (c.bound().isDone() && !c.bound().isCompletedExceptionally()) {
                won++;
            } else {
                refusals.add(c.failure().get(10, TimeUnit.SECONDS));
            }
        }
        assertThat(won).isEqualTo(1);
        assertThat(refusals).hasSize(49).allSatisfy(m -> assertThat(m).endsWith("host shared.example.com is bound by another token"));
        List<Tunnel> shared = relay.tunnels().stream().filter(t -> t.hostname().equals("shared.example.com")).toList();
        assertThat(shared).hasSize(1);
        assertThat(exchange(relay, RawHttp.get("shared.example.com", "/")).body()).startsWith("service=shared\n");
    }

    // ---- fixtures ----

    private RelayServer relay(TokenDirectory tokens, UnaryOperator<HttpSettings> http) throws InterruptedException {
        HttpSettings settings = http.apply(HttpSettings.on(new InetSocketAddress("127.0.0.1", 0), "example.com")
                .withHeaderTimeout(HEAD_TIMEOUT));
        RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                FreePorts.range(11), tokens).withShutdownGrace(Duration.ZERO).withHttp(settings));
        open.add(relay);
        return relay;
    }

    private HttpEchoService service(String name) throws InterruptedException {
        HttpEchoService s = HttpEchoService.start(name);
        open.add(s);
        return s;
    }

    private RelayClient client(RelayServer relay, String token, TunnelSpec tunnel) {
        RelayClient c = RelayClient.start(RelayClientConfig.of("127.0.0.1", relay.controlAddress().getPort(), token,
                List.of(tunnel)).withShutdownGrace(Duration.ZERO), new ClientEvents() {
        });
        open.add(c);
        return c;
    }

    /** Waits until the client's tunnel is live and returns its public URL. */
    private static String bind(RelayClient client) throws Exception {
        try {
            return client.bound().get(10, TimeUnit.SECONDS).values().iterator().next();
        } catch (ExecutionException e) {
            return fail("tunnel not bound: " + client.failure().getNow("?"));
        }
    }

    private static RawHttp connect(RelayServer relay) throws java.io.IOException {
        return new RawHttp(relay.httpAddress());
    }

    /** One request on a fresh connection, and its answer. */
    private static RawHttp.Response exchange(RelayServer relay, String request) throws java.io.IOException {
        try (RawHttp c = connect(relay)) {
            return c.send(request).read();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
