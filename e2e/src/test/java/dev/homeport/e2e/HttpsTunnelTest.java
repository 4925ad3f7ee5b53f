package dev.homeport.e2e;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelAccess;
import dev.homeport.client.TunnelSpec;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.http.TrustedProxies;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.server.tls.CertificateFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The relay's public HTTPS port, end to end with real TLS on loopback: certificates from a CA made
 * for the test (a wildcard and an exact name), public clients that verify them by name, HTTP
 * tunnels behind TLS, the redirect from plain HTTP, basic auth and allow lists, and TLS tunnels
 * whose home service's own certificate is what the public client sees.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpsTunnelTest {
    private static final String TOKEN = "https-tunnel-test-token";
    /** Covers the TLS handshake and the first request head; short, so the WebSocket test can outlast it. */
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private TestCa ca;
    private TestCa.Issued wildcard;
    private TestCa.Issued exact;

    @BeforeEach
    void certificates() throws Exception {
        ca = TestCa.create("Relay test CA", dir);
        wildcard = ca.issue("*.example.com");
        exact = ca.issue("lab.example.org");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    // ---- HTTP tunnels behind the relay's TLS ----

    @Test
    void severalClientsServeWildcardAndExactNamesOverHttpsAtOnce() throws Exception {
        RelayServer relay = relay(false);
        HttpEchoService alpha = service("alpha");
        HttpEchoService beta = service("beta");
        HttpEchoService lab = service("lab");
        String alphaUrl = bind(client(relay, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        bind(client(relay, TunnelSpec.http("b", "127.0.0.1", beta.port(), "beta.example.com")));
        bind(client(relay, TunnelSpec.http("l", "127.0.0.1", lab.port(), "lab.example.org")));
        int port = relay.httpsAddress().getPort();
        assertThat(alphaUrl).isEqualTo("https://alpha.example.com:" + port);

        try (SSLSocket toAlpha = tls(relay, "alpha.example.com"); SSLSocket toBeta = tls(relay, "beta.example.com");
             SSLSocket toLab = tls(relay, "lab.example.org")) {
            assertThat(names(toAlpha)).containsExactly("*.example.com");
            assertThat(names(toBeta)).containsExactly("*.example.com");
            assertThat(names(toLab)).containsExactly("lab.example.org");
            RawHttp a = new RawHttp(toAlpha);
            RawHttp b = new RawHttp(toBeta);
            RawHttp l = new RawHttp(toLab);
            for (int i = 0; i < 3; i++) {
                a.send(RawHttp.get("alpha.example.com:" + port, "/a" + i));
                b.send(RawHttp.get("beta.example.com", "/b" + i));
                l.send(RawHttp.get("LAB.example.org", "/l" + i));
                assertThat(a.read().body()).startsWith("service=alpha\n").contains("GET /a" + i + " HTTP/1.1");
                assertThat(b.read().body()).startsWith("service=beta\n").contains("GET /b" + i + " HTTP/1.1");
                assertThat(l.read().body()).startsWith("service=lab\n").contains("GET /l" + i + " HTTP/1.1");
            }
        }
    }

    @Test
    void theServiceSeesForwardingHeadersWithProtoHttpsAndNoSpoofedOnes() throws Exception {
        RelayServer relay = relay(false);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));

        RawHttp.Response r = exchangeTls(relay, "alpha.example.com", RawHttp.get("alpha.example.com", "/who",
                "X-Forwarded-Proto: http", "X-Forwarded-For: 6.6.6.6", "Forwarded: for=6.6.6.6;proto=http"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(alpha.lastHead()).contains("x-forwarded-proto: https\n", "x-forwarded-for: 127.0.0.1\n",
                "x-forwarded-host: alpha.example.com\n", "forwarded: for=127.0.0.1;host=alpha.example.com;proto=https\n")
                .doesNotContain("6.6.6.6").doesNotContain("proto: http\n");
    }

    @Test
    void unknownHostsAndOfflineServicesGetTheirPagesOverHttpsAsHtmlOrJson() throws Exception {
        RelayServer relay = relay(false);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        bind(client(relay, TunnelSpec.http("down", "127.0.0.1", closedPort, "down")));

        RawHttp.Response html = exchangeTls(relay, "nobody.example.com", RawHttp.get("nobody.example.com", "/", "Accept: text/html"));
        assertThat(html.status()).isEqualTo(404);
        assertThat(html.header("content-type")).startsWith("text/html");
        assertThat(html.body()).contains("404 Not Found").contains("nobody.example.com");
        RawHttp.Response json = exchangeTls(relay, "nobody.example.com", RawHttp.get("nobody.example.com", "/",
                "Accept: application/json"));
        assertThat(json.status()).isEqualTo(404);
        assertThat(json.body()).isEqualTo("{\"error\": \"No tunnel serves nobody.example.com on this relay.\", \"status\": 404}\n");

        RawHttp.Response down = exchangeTls(relay, "down.example.com", RawHttp.get("down.example.com", "/"));
        assertThat(down.status()).isEqualTo(502);
        assertThat(down.body()).contains("502 Bad Gateway").contains("down.example.com").doesNotContain(String.valueOf(closedPort));
        RawHttp.Response downJson = exchangeTls(relay, "down.example.com", RawHttp.get("down.example.com", "/",
                "Accept: application/json"));
        assertThat(downJson.status()).isEqualTo(502);
        assertThat(downJson.body()).startsWith("{\"error\": ").endsWith("\"status\": 502}\n");
    }

    @Test
    void aHostOtherThanTheServerNameIsMisdirectedAndNeverForwarded() throws Exception {
        RelayServer relay = relay(false);
        HttpEchoService alpha = service("alpha");
        HttpEchoService beta = service("beta");
        bind(client(relay, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        bind(client(relay, TunnelSpec.http("b", "127.0.0.1", beta.port(), "beta")));

        // The wildcard certificate covers both names, so one TLS connection could carry both: the relay says no.
        RawHttp.Response r = exchangeTls(relay, "alpha.example.com", RawHttp.get("beta.example.com", "/"));
        assertThat(r.status()).isEqualTo(421);
        assertThat(r.body()).contains("alpha.example.com").contains("beta.example.com");
        assertThat(alpha.connections.get() + beta.connections.get()).isZero();
    }

    @Test
    void requestsPipelinedBeforeAMisdirectedOrUnauthorizedOneAreAnsweredFirstOverTls() throws Exception {
        RelayServer relay = relay(false);
        HttpEchoService alpha = service("alpha");
        HttpEchoService beta = service("beta");
        bind(client(relay, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        bind(client(relay, TunnelSpec.http("b", "127.0.0.1", beta.port(), "beta")));

        try (SSLSocket socket = tls(relay, "alpha.example.com"); RawHttp c = new RawHttp(socket)) {
            // One write, so one TLS record: both requests reach the relay in one read.
            c.send(RawHttp.get("alpha.example.com", "/first") + RawHttp.get("beta.example.com", "/second"));
            RawHttp.Response first = c.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).startsWith("service=alpha\n").contains("GET /first HTTP/1.1");
            RawHttp.Response second = c.read();
            assertThat(second.status()).isEqualTo(421);
            assertThat(second.body()).contains("beta.example.com");
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(alpha.requestHeads).hasSize(1);
        assertThat(beta.connections.get()).isZero();

        // Another refusal, by the tunnel's access rules: the request with the right password is answered first.
        HttpEchoService gamma = service("gamma");
        bind(client(relay, TunnelSpec.http("g", "127.0.0.1", gamma.port(), "gamma")
                .withAccess(new TunnelAccess(true, "ana:s3cret", List.of()))));
        try (SSLSocket socket = tls(relay, "gamma.example.com"); RawHttp c = new RawHttp(socket)) {
            c.send(RawHttp.get("gamma.example.com", "/in", "Authorization: " + basic("ana:s3cret"))
                    + RawHttp.get("gamma.example.com", "/out"));
            assertThat(c.read().body()).startsWith("service=gamma\n").contains("GET /in HTTP/1.1");
            RawHttp.Response unauthorized = c.read();
            assertThat(unauthorized.status()).isEqualTo(401);
            assertThat(unauthorized.header("www-authenticate")).startsWith("Basic ");
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(gamma.requestHeads).hasSize(1);
    }

    @Test
    void aServerNameWithoutCertificateOrNoServerNameAtAllIsClosedWithoutACertificate() throws Exception {
        RelayServer relay = relay(false);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));

        assertThatThrownBy(() -> tls(relay.httpsAddress(), "other.example.net", ca.clientContext(), null)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> tls(relay.httpsAddress(), "a.b.example.com", ca.clientContext(), null)) // a wildcard covers one label
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> tls(relay.httpsAddress(), null, ca.clientContext(), null)).isInstanceOf(IOException.class);
        assertThat(alpha.connections.get()).isZero();
        try (SSLSocket ok = tls(relay, "alpha.example.com")) { // and the port still serves
            assertThat(new RawHttp(ok).send(RawHttp.get("alpha.example.com", "/")).read().status()).isEqualTo(200);
        }
    }

    @Test
    void aClientHelloInTinyRecordsAndOneByteSegmentsIsStillRoutedAndTerminated() throws Exception {
        RelayServer relay = relay(false);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        try (HelloFragmentingProxy proxy = new HelloFragmentingProxy(relay.httpsAddress(), 3);
             SSLSocket s = tls(proxy.address(), "alpha.example.com", ca.clientContext(), null)) {
            RawHttp.Response r = new RawHttp(s).send(RawHttp.get("alpha.example.com", "/split")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("GET /split HTTP/1.1");
        }
    }

    @Test
    void aWebSocketUpgradesThroughHttpsAndStaysUpWhileQuiet() throws Exception {
        RelayServer relay = relay(false);
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        String key = RawHttp.webSocketKey();
        try (RawHttp ws = new RawHttp(tls(relay, "alpha.example.com"))) {
            RawHttp.Response switching = ws.send(RawHttp.get("alpha.example.com", "/ws", "Upgrade: websocket",
                    "Connection: Upgrade", "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13")).read();
            assertThat(switching.status()).isEqualTo(101);
            assertThat(switching.header("sec-websocket-accept")).isEqualTo(RawHttp.expectedAccept(key));
            assertThat(ws.readText()).isEqualTo("welcome from alpha");
            ws.sendText("ping");
            assertThat(ws.readText()).isEqualTo("echo: ping");
            Thread.sleep(HEAD_TIMEOUT.toMillis() + 500); // quiet longer than the head deadline: the socket stays up
            ws.sendText("GET / HTTP/1.1");
            assertThat(ws.readText()).isEqualTo("echo: GET / HTTP/1.1");
        }
    }

    // ---- the redirect from plain HTTP ----

    @Test
    void plainHttpIsRedirectedToHttpsByDefaultWhereTheRelayHoldsACertificate() throws Exception {
        RelayServer relay = relay(true);
        HttpEchoService alpha = service("alpha");
        HttpEchoService beta = service("beta");
        HttpEchoService other = service("other");
        bind(client(relay, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")));
        bind(client(relay, TunnelSpec.http("b", "127.0.0.1", beta.port(), "beta").withAccess(TunnelAccess.NONE)));
        String otherUrl = bind(client(relay, TunnelSpec.http("o", "127.0.0.1", other.port(), "other.example.net")));
        int httpsPort = relay.httpsAddress().getPort();

        RawHttp.Response redirect = exchangePlain(relay, RawHttp.get("alpha.example.com:" + relay.httpAddress().getPort(),
                "/tree?token=abc&x=%20y"));
        assertThat(redirect.status()).isEqualTo(308);
        assertThat(redirect.header("location")).isEqualTo("https://alpha.example.com:" + httpsPort + "/tree?token=abc&x=%20y");
        assertThat(alpha.connections.get()).isZero();
        try (SSLSocket s = tls(relay, "alpha.example.com")) { // where the redirect points, the service answers
            assertThat(new RawHttp(s).send(RawHttp.get("alpha.example.com", "/tree")).read().status()).isEqualTo(200);
        }

        // --no-https-only: plain HTTP is served as such.
        assertThat(exchangePlain(relay, RawHttp.get("beta.example.com", "/")).status()).isEqualTo(200);
        // No certificate for the name: no HTTPS to send anyone to, so plain HTTP is served, and the URL says http.
        assertThat(otherUrl).isEqualTo("http://other.example.net:" + relay.httpAddress().getPort());
        assertThat(exchangePlain(relay, RawHttp.get("other.example.net", "/")).status()).isEqualTo(200);
    }

    // ---- access rules ----

    @Test
    void basicAuthTurnsAwayMissingAndWrongCredentialsAndStripsTheRightOnes() throws Exception {
        RelayServer relay = relay(true);
        HttpEchoService alpha = service("alpha");
        HttpEchoService beta = service("beta");
        bind(client(relay, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")
                .withAccess(new TunnelAccess(true, "ana:s3cret", List.of()))));
        bind(client(relay, TunnelSpec.http("b", "127.0.0.1", beta.port(), "beta")));

        RawHttp.Response none = exchangeTls(relay, "alpha.example.com", RawHttp.get("alpha.example.com", "/"));
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("www-authenticate")).isEqualTo("Basic realm=\"homeport\", charset=\"UTF-8\"");
        RawHttp.Response wrong = exchangeTls(relay, "alpha.example.com", RawHttp.get("alpha.example.com", "/",
                "Authorization: " + basic("ana:guess")));
        assertThat(wrong.status()).isEqualTo(401);
        RawHttp.Response otherScheme = exchangeTls(relay, "alpha.example.com", RawHttp.get("alpha.example.com", "/",
                "Authorization: token s3cret"));
        assertThat(otherScheme.status()).isEqualTo(401);
        assertThat(alpha.connections.get()).isZero();

        RawHttp.Response right = exchangeTls(relay, "alpha.example.com", RawHttp.get("alpha.example.com", "/lab",
                "Authorization: " + basic("ana:s3cret")));
        assertThat(right.status()).isEqualTo(200);
        assertThat(alpha.lastHead()).contains("GET /lab").doesNotContainIgnoringCase("authorization");

        // Without basic auth on the tunnel, the service's own Authorization (Jupyter's token) passes untouched.
        exchangeTls(relay, "beta.example.com", RawHttp.get("beta.example.com", "/api", "Authorization: token jupyter-token"));
        assertThat(beta.lastHead()).contains("authorization: token jupyter-token\n");
    }

    @Test
    void theAllowListAdmitsItsAddressesAndTurnsAwayOthersOverHttpsTlsAndTcp() throws Exception {
        RelayServer relay = relay(false);
        HttpEchoService alpha = service("alpha");
        TestCa home = TestCa.create("Home CA", dir);
        TlsEchoService nas = TlsEchoService.start(home.issue("nas.example.com"));
        open.add(nas);
        TunnelAccess onlyLocalhost = new TunnelAccess(false, "", List.of("127.0.0.1/32", "::1"));
        bind(client(relay, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha").withAccess(onlyLocalhost)));
        bind(client(relay, TunnelSpec.tls("n", "127.0.0.1", nas.port(), "nas").withAccess(onlyLocalhost)));
        InetAddress other = InetAddress.getByName("127.0.0.2");

        try (SSLSocket from2 = tls(relay.httpsAddress(), "alpha.example.com", ca.clientContext(), other)) {
            RawHttp.Response r = new RawHttp(from2).send(RawHttp.get("alpha.example.com", "/")).read();
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.body()).doesNotContain("127.0.0.2");
        }
        assertThat(alpha.connections.get()).isZero();
        assertThatThrownBy(() -> tls(relay.httpsAddress(), "nas.example.com", home.clientContext(), other))
                .isInstanceOf(IOException.class);
        assertThat(nas.connections.get()).isZero();

        assertThat(exchangeTls(relay, "alpha.example.com", RawHttp.get("alpha.example.com", "/")).status()).isEqualTo(200);
        try (SSLSocket from1 = tls(relay.httpsAddress(), "nas.example.com", home.clientContext(), null)) {
            assertThat(echo(from1, 1000)).isTrue();
        }

        // A TCP tunnel's allow list works the same way: the connection is closed before it becomes a stream.
        String tcp = bind(client(relay, new TunnelSpec("t", "127.0.0.1", nas.port(), 0).withAccess(onlyLocalhost)));
        InetSocketAddress tcpPort = new InetSocketAddress("127.0.0.1", java.net.URI.create(tcp).getPort());
        int before = nas.connections.get();
        try (Socket raw = new Socket()) {
            raw.bind(new InetSocketAddress(other, 0));
            raw.connect(tcpPort, 5_000);
            raw.setSoTimeout(10_000);
            assertThat(readsToEnd(raw.getInputStream())).isZero();
        }
        assertThat(nas.connections.get()).isEqualTo(before);
        try (SSLSocket viaTcp = tls(tcpPort, "nas.example.com", home.clientContext(), null)) {
            assertThat(echo(viaTcp, 1000)).isTrue();
        }
    }

    @Test
    void behindATrustedProxyTheAllowListJudgesTheAddressTheProxyForwarded() throws Exception {
        RelayServer relay = relay(false, TrustedProxies.parse(List.of("127.0.0.1/32")));
        HttpEchoService alpha = service("alpha");
        bind(client(relay, TunnelSpec.http("a", "127.0.0.1", alpha.port(), "alpha")
                .withAccess(new TunnelAccess(true, "", List.of("203.0.113.0/24")))));

        RawHttp.Response admitted = exchangeTls(relay, "alpha.example.com", RawHttp.get("alpha.example.com", "/",
                "X-Forwarded-For: 198.51.100.1, 203.0.113.5"));
        assertThat(admitted.status()).isEqualTo(200);
        RawHttp.Response refused = exchangeTls(relay, "alpha.example.com", RawHttp.get("alpha.example.com", "/",
                "X-Forwarded-For: 203.0.113.5, 198.51.100.1")); // only the last entry is the proxy's word
        assertThat(refused.status()).isEqualTo(403);
        RawHttp.Response direct = exchangeTls(relay, "alpha.example.com", RawHttp.get("alpha.example.com", "/"));
        assertThat(direct.status()).isEqualTo(403); // the proxy's own address is not in the list
        assertThat(alpha.requestHeads).hasSize(1);
    }

    // ---- TLS passthrough ----

    @Test
    void aTlsTunnelPassesTheConnectionThroughSoThePublicClientSeesTheHomeCertificate() throws Exception {
        RelayServer relay = relay(false);
        TestCa home = TestCa.create("Home CA", dir);
        TestCa.Issued nasCertificate = home.issue("nas.example.com");
        TlsEchoService nas = TlsEchoService.start(nasCertificate);
        open.add(nas);
        // The relay's wildcard covers nas.example.com too: the TLS tunnel for the name wins.
        String url = bind(client(relay, TunnelSpec.tls("n", "127.0.0.1", nas.port(), "nas")));
        assertThat(url).isEqualTo("tls://nas.example.com:" + relay.httpsAddress().getPort());

        try (SSLSocket s = tls(relay.httpsAddress(), "nas.example.com", home.clientContext(), null)) {
            X509Certificate seen = (X509Certificate) s.getSession().getPeerCertificates()[0];
            assertThat(seen).isEqualTo(nasCertificate.certificate());
            assertThat(echo(s, 1 << 20)).isTrue();
        }
        assertThat(nas.handshakes.get()).isEqualTo(1);
        // The relay's own CA cannot vouch for the home service: the relay never presented a certificate here.
        assertThatThrownBy(() -> tls(relay.httpsAddress(), "nas.example.com", ca.clientContext(), null))
                .isInstanceOf(IOException.class);
    }

    @Test
    void passthroughRoutesAHelloCutIntoTinyRecordsAndSegments() throws Exception {
        RelayServer relay = relay(false);
        TestCa home = TestCa.create("Home CA", dir);
        TlsEchoService nas = TlsEchoService.start(home.issue("nas.example.com"));
        open.add(nas);
        bind(client(relay, TunnelSpec.tls("n", "127.0.0.1", nas.port(), "nas")));
        try (HelloFragmentingProxy proxy = new HelloFragmentingProxy(relay.httpsAddress(), 5);
             SSLSocket s = tls(proxy.address(), "nas.example.com", home.clientContext(), null)) {
            assertThat(echo(s, 64 * 1024)).isTrue();
        }
    }

    @Test
    void passthroughClosesWhatItCannotRouteAndTheHomeServiceNeverSeesIt() throws Exception {
        RelayServer relay = relay(false);
        TestCa home = TestCa.create("Home CA", dir);
        TlsEchoService nas = TlsEchoService.start(home.issue("nas.example.com"));
        open.add(nas);
        bind(client(relay, TunnelSpec.tls("n", "127.0.0.1", nas.port(), "nas")));

        assertThatThrownBy(() -> tls(relay.httpsAddress(), null, home.clientContext(), null)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> tls(relay.httpsAddress(), "unknown.example.net", home.clientContext(), null))
                .isInstanceOf(IOException.class);
        // A hello longer than the relay's limit, sent in full: closed, not buffered.
        byte[] oversized = oversizedHello("nas.example.com", HttpsSettings.DEFAULT_CLIENT_HELLO_LIMIT + 1024);
        try (Socket raw = new Socket()) {
            raw.connect(relay.httpsAddress(), 5_000);
            raw.setSoTimeout(10_000);
            try {
                raw.getOutputStream().write(oversized);
            } catch (IOException resetWhileSending) {
                // the relay closed while the rest was still on its way
            }
            assertThat(readsToEnd(raw.getInputStream())).isZero();
        }
        try (Socket raw = new Socket()) { // not TLS at all
            raw.connect(relay.httpsAddress(), 5_000);
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: nas.example.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readsToEnd(raw.getInputStream())).isZero();
        }
        assertThat(nas.connections.get()).isZero();
        try (SSLSocket s = tls(relay.httpsAddress(), "nas.example.com", home.clientContext(), null)) {
            assertThat(echo(s, 1000)).isTrue();
        }
    }

    // ---- helpers ----

    private RelayServer relay(boolean withPlainHttp) throws Exception {
        return relay(withPlainHttp, TrustedProxies.NONE);
    }

    private RelayServer relay(boolean withPlainHttp, TrustedProxies trusted) throws Exception {
        HttpSettings http = HttpSettings.on(withPlainHttp ? new InetSocketAddress("127.0.0.1", 0) : null, "example.com")
                .withHeaderTimeout(HEAD_TIMEOUT).withTrustedProxies(trusted);
        CertificateFiles files = CertificateFiles.load(List.of(
                new CertificateFiles.Pair(wildcard.certificateFile(), wildcard.keyFile()),
                new CertificateFiles.Pair(exact.certificateFile(), exact.keyFile())));
        RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                        FreePorts.range(11), new SingleToken(TOKEN)).withShutdownGrace(Duration.ZERO).withHttp(http)
                .withHttps(HttpsSettings.on(new InetSocketAddress("127.0.0.1", 0), files)));
        open.add(relay);
        return relay;
    }

    private HttpEchoService service(String name) throws InterruptedException {
        HttpEchoService s = HttpEchoService.start(name);
        open.add(s);
        return s;
    }

    private RelayClient client(RelayServer relay, TunnelSpec tunnel) {
        RelayClient c = RelayClient.start(RelayClientConfig.of("127.0.0.1", relay.controlAddress().getPort(), TOKEN,
                List.of(tunnel)).withShutdownGrace(Duration.ZERO), new ClientEvents() {
        });
        open.add(c);
        return c;
    }

    private static String bind(RelayClient client) throws Exception {
        try {
            return client.bound().get(10, TimeUnit.SECONDS).values().iterator().next();
        } catch (ExecutionException e) {
            return fail("tunnel not bound: " + client.failure().getNow("?"));
        }
    }

    private SSLSocket tls(RelayServer relay, String serverName) throws Exception {
        return tls(relay.httpsAddress(), serverName, ca.clientContext(), null);
    }

    /**
     * A TLS connection that sends {@code serverName} as SNI ({@code null}: none) and checks the
     * certificate against it, as a browser does; from {@code source} if given.
     */
    private SSLSocket tls(InetSocketAddress target, String serverName, SSLContext context, InetAddress source) throws Exception {
        Socket raw = new Socket();
        if (source != null) {
            raw.bind(new InetSocketAddress(source, 0));
        }
        raw.connect(target, 5_000);
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(raw, serverName == null ? "127.0.0.1" : serverName,
                target.getPort(), true);
        SSLParameters parameters = s.getSSLParameters();
        parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        parameters.setEndpointIdentificationAlgorithm(serverName == null ? null : "HTTPS");
        s.setSSLParameters(parameters);
        s.setSoTimeout(10_000);
        try {
            s.startHandshake();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private RawHttp.Response exchangeTls(RelayServer relay, String serverName, String request) throws Exception {
        try (RawHttp c = new RawHttp(tls(relay, serverName))) {
            return c.send(request).read();
        }
    }

    private static RawHttp.Response exchangePlain(RelayServer relay, String request) throws IOException {
        try (RawHttp c = new RawHttp(relay.httpAddress())) {
            return c.send(request).read();
        }
    }

    private static List<String> names(SSLSocket s) throws Exception {
        X509Certificate c = (X509Certificate) s.getSession().getPeerCertificates()[0];
        return c.getSubjectAlternativeNames().stream().map(e -> (String) e.get(1)).toList();
    }

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends {@code bytes} of a pattern through an echoing service and checks what comes back, byte for byte. */
    private static boolean echo(SSLSocket s, int bytes) throws Exception {
        CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
            try {
                return Payload.write(s.getOutputStream(), 42, bytes).sha256();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] got = s.getInputStream().readNBytes(bytes);
        sha.update(got);
        return got.length == bytes && HexFormat.of().formatHex(sha.digest()).equals(sent.get(30, TimeUnit.SECONDS));
    }

    /** Bytes read until the relay closes (or resets) the connection. */
    private static int readsToEnd(InputStream in) {
        int total = 0;
        try {
            for (int n; (n = in.read(new byte[4096])) >= 0; ) {
                total += n;
            }
        } catch (IOException reset) {
            // a reset is a close too
        }
        return total;
    }

    /** A ClientHello naming {@code serverName}, padded to {@code size} bytes, in records of at most 16 KiB. */
    private static byte[] oversizedHello(String serverName, int size) {
        byte[] name = serverName.getBytes(StandardCharsets.US_ASCII);
        int sniLength = 2 + 1 + 2 + name.length;
        int fixed = 2 + 32 + 1 + 4 + 2;
        int padding = size - fixed - 2 - (4 + sniLength) - 4;
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(new byte[] {3, 3});
        body.writeBytes(new byte[32]);
        body.writeBytes(new byte[] {0, 0, 2, 0x13, 0x01, 1, 0});
        int extensions = 4 + sniLength + 4 + padding;
        body.writeBytes(new byte[] {(byte) (extensions >> 8), (byte) extensions, 0, 0, (byte) (sniLength >> 8), (byte) sniLength,
                (byte) ((sniLength - 2) >> 8), (byte) (sniLength - 2), 0, (byte) (name.length >> 8), (byte) name.length});
        body.writeBytes(name);
        body.writeBytes(new byte[] {0, 21, (byte) (padding >> 8), (byte) padding});
        body.writeBytes(new byte[padding]);
        byte[] b = body.toByteArray();
        byte[] handshake = new byte[4 + b.length];
        handshake[0] = 1;
        handshake[1] = (byte) (b.length >> 16);
        handshake[2] = (byte) (b.length >> 8);
        handshake[3] = (byte) b.length;
        System.arraycopy(b, 0, handshake, 4, b.length);
        java.io.ByteArrayOutputStream records = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < handshake.length; i += 16384) {
            int n = Math.min(16384, handshake.length - i);
            records.writeBytes(new byte[] {22, 3, 1, (byte) (n >> 8), (byte) n});
            records.write(handshake, i, n);
        }
        return records.toByteArray();
    }
}
