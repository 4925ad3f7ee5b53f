package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiresProgram;
import java.nio.charset.StandardCharsets;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.FileTokenDirectory;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.tls.acme.AcmeChallengeType;
import dev.homeport.server.tls.acme.AcmeSettings;
import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Certificates from a real ACME CA (Debian's pebble, on loopback), for the host names clients bind.
 * pebble validates every challenge for real, against the relay's public HTTP port (HTTP-01) or its
 * public HTTPS port (TLS-ALPN-01); the public side then checks the chain the HTTPS port serves
 * against pebble's root and the host name, as a browser would, and reaches the tunnel's service.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@RequiresProgram(value = "pebble", debianPackage = "pebble")
@RequiresProgram(value = "pebble-challtestsrv", debianPackage = "pebble")
class AcmeCertificatesTest {
    private static final String TOKEN = "acme-test-token";
    private static final String DOMAIN = "homeport.test";
    private static final Duration ISSUED_WITHIN = Duration.ofSeconds(30);

    @TempDir
    static Path shared;
    private static int httpPort;
    private static int tlsPort;
    private static Pebble pebble;

    @TempDir
    Path dir;

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @BeforeAll
    static void startPebble() throws Exception {
        int ports = FreePorts.block(2);
        httpPort = ports;
        tlsPort = ports + 1;
        pebble = Pebble.start(shared.resolve("pebble"), httpPort, tlsPort);
    }

    @AfterAll
    static void stopPebble() throws Exception {
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void aBoundHostNameGetsACertificateByHttp01ThatVerifiesToPebblesRootAndTheName() throws Exception {
        RelayServer relay = relay(acme(dir, AcmeChallengeType.HTTP_01), new SingleToken(TOKEN));
        int https = relay.httpsAddress().getPort();
        HttpEchoService web = teardown.add(HttpEchoService.start("web"));

        bind(client(relay, TOKEN, TunnelSpec.http("web", "127.0.0.1", web.port(), "web")));
        awaitCertificate(relay, "web." + DOMAIN);

        X509Certificate[] chain = handshake(https, "web." + DOMAIN);
        assertThat(chain).hasSizeGreaterThanOrEqualTo(2); // leaf and pebble's intermediate: the root verifies it
        assertThat(chain[0].getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo("web." + DOMAIN));
        assertThat(orders(relay, "issue", "success")).isEqualTo(1);
        assertThat(orders(relay, "issue", "failure")).isZero();
        assertThat(Files.readString(dir.resolve("acme/certs/web." + DOMAIN + ".crt"))).contains("BEGIN CERTIFICATE");
        // A challenge path whose token the relay did not ask for is the tunnel's business: now that the
        // name has a certificate, plain HTTP is redirected, and over HTTPS the request reaches the service.
        try (RawHttp c = new RawHttp(relay.httpAddress())) {
            RawHttp.Response r = c.send(RawHttp.get("web." + DOMAIN, "/.well-known/acme-challenge/not-ours")).read();
            assertThat(r.status()).isEqualTo(308);
            assertThat(r.header("location")).isEqualTo("https://web." + DOMAIN + ":" + https + "/.well-known/acme-challenge/not-ours");
        }
        String response = httpsGet(https, "web." + DOMAIN, "/.well-known/acme-challenge/not-ours");
        assertThat(response).startsWith("HTTP/1.1 200").contains("service=web\n").contains("GET /.well-known/acme-challenge/not-ours");
    }

    @Test
    void tlsAlpn01IsAnsweredWithTheChallengeCertificateOnTheTlsPort() throws Exception {
        // pebble checks TLS-ALPN-01 on tlsPort: the relay's public HTTPS port listens there.
        RelayServer relay = relay(acme(dir, AcmeChallengeType.TLS_ALPN_01), new SingleToken(TOKEN), false, tlsPort);
        int https = relay.httpsAddress().getPort();
        HttpEchoService app = teardown.add(HttpEchoService.start("app"));

        bind(client(relay, TOKEN, TunnelSpec.http("app", "127.0.0.1", app.port(), "app")));
        awaitCertificate(relay, "app." + DOMAIN);

        X509Certificate[] chain = handshake(https, "app." + DOMAIN);
        assertThat(chain[0].getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo("app." + DOMAIN));
        assertThat(chain[0].getExtensionValue("1.3.6.1.5.5.7.1.31")).as("no acmeIdentifier: not the challenge certificate").isNull();
        assertThat(orders(relay, "issue", "success")).isEqualTo(1);
        assertThat(httpsGet(https, "app." + DOMAIN, "/hello")).startsWith("HTTP/1.1 200").contains("service=app\n");
    }

    @Test
    void renewalReplacesTheServedCertificateForNewConnectionsWithoutARestart() throws Exception {
        // Renew when less than 100% of the lifetime is left, checked every 500 ms: every check renews.
        RelayServer relay = relay(acme(dir, AcmeChallengeType.HTTP_01).withRenewal(1.0, Duration.ofMillis(500)),
                new SingleToken(TOKEN));
        int https = relay.httpsAddress().getPort();
        HttpEchoService web = teardown.add(HttpEchoService.start("web"));
        bind(client(relay, TOKEN, TunnelSpec.http("web", "127.0.0.1", web.port(), "renewed")));
        awaitCertificate(relay, "renewed." + DOMAIN);
        String first = handshake(https, "renewed." + DOMAIN)[0].getSerialNumber().toString(16);

        Await.until(ISSUED_WITHIN, "a renewed certificate served to a new connection", () -> {
            try {
                return !handshake(https, "renewed." + DOMAIN)[0].getSerialNumber().toString(16).equals(first);
            } catch (IOException e) {
                return fail("handshake failed during renewal", e);
            }
        });
        assertThat(orders(relay, "renew", "success")).isGreaterThanOrEqualTo(1);
        assertThat(orders(relay, "issue", "success")).isEqualTo(1);
    }

    @Test
    void aCertificateOnDiskIsServedAfterARestartWithoutANewOrder() throws Exception {
        String host = "kept." + DOMAIN;
        String issued;
        try (RelayServer first = relay(acme(dir, AcmeChallengeType.HTTP_01), new SingleToken(TOKEN));
             HttpEchoService svc = HttpEchoService.start("kept")) {
            RelayClient c = client(first, TOKEN, TunnelSpec.http("kept", "127.0.0.1", svc.port(), "kept"));
            bind(c);
            awaitCertificate(first, host);
            issued = handshake(first.httpsAddress().getPort(), host)[0].getSerialNumber().toString(16);
            c.close();
        }

        RelayServer second = relay(acme(dir, AcmeChallengeType.HTTP_01), new SingleToken(TOKEN));
        int https = second.httpsAddress().getPort();
        assertThat(second.certificates().forHostname(host)).as("loaded at start, before any client binds").isNotNull();
        assertThat(handshake(https, host)[0].getSerialNumber().toString(16)).isEqualTo(issued);

        HttpEchoService svc = teardown.add(HttpEchoService.start("kept"));
        bind(client(second, TOKEN, TunnelSpec.http("kept", "127.0.0.1", svc.port(), "kept")));
        Await.sleep(Duration.ofSeconds(1)); // an order, had one been placed, would have been counted by now
        assertThat(orders(second, "issue", "success") + orders(second, "issue", "failure")
                + orders(second, "renew", "success") + orders(second, "renew", "failure")).isZero();
        assertThat(handshake(https, host)[0].getSerialNumber().toString(16)).isEqualTo(issued);
    }

    @Test
    void noCertificateIsOrderedForANameNoClientMayBindOrThatIsOutsideTheAcmeDomain() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        String limited = file.add("limited", new TokenRights(null, List.of("*." + DOMAIN)));
        String anyName = file.add("any", new TokenRights(null, List.of("*")));
        FileTokenDirectory tokens = teardown.add(new FileTokenDirectory(file));
        RelayServer relay = relay(acme(dir, AcmeChallengeType.HTTP_01).withOnlyUnder(DOMAIN), tokens);
        int https = relay.httpsAddress().getPort();
        HttpEchoService svc = teardown.add(HttpEchoService.start("svc"));

        // The public asks for names by SNI and Host: nothing is ordered for them.
        assertThatThrownBy(() -> handshake(https, "stranger." + DOMAIN)).isInstanceOf(IOException.class);
        try (RawHttp c = new RawHttp(relay.httpAddress())) {
            assertThat(c.send(RawHttp.get("stranger." + DOMAIN, "/.well-known/acme-challenge/x")).read().status()).isEqualTo(404);
        }
        // A token without the right to a name is refused the bind, and so no certificate.
        RelayClient refused = client(relay, limited, TunnelSpec.http("x", "127.0.0.1", svc.port(), "elsewhere.example.org"));
        assertThat(refused.failure().get(10, TimeUnit.SECONDS)).contains("may not bind host elsewhere.example.org");
        // A name outside the ACME domain is bound (it has the right) but not issued.
        bind(client(relay, anyName, TunnelSpec.http("y", "127.0.0.1", svc.port(), "outside.example.org")));

        Await.sleep(Duration.ofSeconds(1));
        assertThat(orders(relay, "issue", "success") + orders(relay, "issue", "failure")).isZero();
        assertThat(relay.certificates().forHostname("stranger." + DOMAIN)).isNull();
        assertThat(relay.certificates().forHostname("elsewhere.example.org")).isNull();
        assertThat(relay.certificates().forHostname("outside.example.org")).isNull();
        assertThat(dir.resolve("acme/certs")).doesNotExist();
    }

    @Test
    void theRelaysOwnNameIsOrderedAtStartSoClientsCanReachItByWebSocketOnTheHttpsPort() throws Exception {
        String own = "relay." + DOMAIN;
        RelayServer relay = relay(acme(dir, AcmeChallengeType.HTTP_01), new SingleToken(TOKEN), false, 0, c -> c.withPublicHost(own));
        int https = relay.httpsAddress().getPort();

        awaitCertificate(relay, own); // no client bound anything
        assertThat(handshake(https, own)[0].getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo(own));
        // What a client's wss://relay.homeport.test/_homeport sends, over TLS verified as a browser would.
        try (SSLSocket tls = BrowserTls.open(Pebble.trusting(pebble.root()), https, own)) {
            RawHttp c = new RawHttp(tls);
            String key = RawHttp.webSocketKey();
            RawHttp.Response r = c.send(RawHttp.get(own, RelayServerConfig.DEFAULT_WEBSOCKET_PATH, "Upgrade: websocket",
                    "Connection: Upgrade", "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13")).read();
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("sec-websocket-accept")).isEqualTo(RawHttp.expectedAccept(key));
        }
    }

    @Test
    void aCaThatIsDownIsRetriedWithBackoffReportedOnMetricsAndUsedOnceItIsUp() throws Exception {
        Pebble late = Pebble.prepare(dir.resolve("late-pebble"), httpPort, tlsPort); // configured, not started
        teardown.add(late);
        AcmeSettings settings = AcmeSettings.of(late.directory(), "", dir.resolve("acme"))
                .withChallenge(AcmeChallengeType.HTTP_01)
                .withTrustCa(late.httpsCertificate())
                .withPolling(Duration.ofMillis(100), Duration.ofSeconds(20))
                .withRetry(Duration.ofMillis(200), Duration.ofSeconds(1));
        RelayServer relay = relay(settings, new SingleToken(TOKEN), true);
        HttpEchoService svc = teardown.add(HttpEchoService.start("svc"));
        bind(client(relay, TOKEN, TunnelSpec.http("late", "127.0.0.1", svc.port(), "late")));

        Await.until(ISSUED_WITHIN, "three failed orders", () -> orders(relay, "issue", "failure") >= 3);
        assertThat(relay.certificates().forHostname("late." + DOMAIN)).isNull();
        String metrics = adminMetrics(relay);
        assertThat(metrics).containsPattern("homeport_acme_orders_total\\{kind=\"issue\",outcome=\"failure\"} [3-9]");

        late.start();
        awaitCertificate(relay, "late." + DOMAIN);
        assertThat(orders(relay, "issue", "success")).isEqualTo(1);
        assertThat(adminMetrics(relay)).contains("homeport_acme_orders_total{kind=\"issue\",outcome=\"success\"} 1.0");
    }

    // ---- fixtures ----

    private static AcmeSettings acme(Path stateDir, AcmeChallengeType challenge) {
        return AcmeSettings.of(pebble.directory(), "ops@example.com", stateDir.resolve("acme"))
                .withChallenge(challenge)
                .withTrustCa(pebble.httpsCertificate())
                .withPolling(Duration.ofMillis(100), Duration.ofSeconds(20))
                .withRetry(Duration.ofMillis(500), Duration.ofSeconds(2));
    }

    private RelayServer relay(AcmeSettings acme, TokenDirectory tokens) throws InterruptedException {
        return relay(acme, tokens, false);
    }

    private RelayServer relay(AcmeSettings acme, TokenDirectory tokens, boolean admin) throws InterruptedException {
        return relay(acme, tokens, admin, 0);
    }

    private RelayServer relay(AcmeSettings acme, TokenDirectory tokens, boolean admin, int httpsPort) throws InterruptedException {
        return relay(acme, tokens, admin, httpsPort, UnaryOperator.identity());
    }

    /** A relay with its public HTTP port where pebble checks HTTP-01, and its HTTPS port on {@code httpsPort} (0: any). */
    private RelayServer relay(AcmeSettings acme, TokenDirectory tokens, boolean admin, int httpsPort,
                              UnaryOperator<RelayServerConfig> more) throws InterruptedException {
        int ports = FreePorts.block(4);
        RelayServerConfig config = RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                        new PortRange(ports, ports + 3), tokens)
                .withShutdownGrace(Duration.ZERO)
                .withHttp(HttpSettings.on(new InetSocketAddress("127.0.0.1", httpPort), DOMAIN))
                .withHttps(HttpsSettings.on(new InetSocketAddress("127.0.0.1", httpsPort)))
                .withAcme(acme);
        if (admin) {
            config = config.withAdmin(new InetSocketAddress("127.0.0.1", 0));
        }
        return teardown.add(RelayServer.start(more.apply(config)));
    }

    private RelayClient client(RelayServer relay, String token, TunnelSpec tunnel) {
        return teardown.add(RelayClient.start(RelayClientConfig.of("127.0.0.1", relay.controlAddress().getPort(), token,
                List.of(tunnel)).withShutdownGrace(Duration.ZERO), new ClientEvents() {
        }));
    }

    private static void bind(RelayClient client) throws Exception {
        try {
            client.bound().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            fail("tunnel not bound: " + client.failure().getNow("?"));
        }
    }

    private static void awaitCertificate(RelayServer relay, String host) {
        try {
            // While a TLS-ALPN-01 challenge is pending, forHostname answers the challenge certificate: wait for the order's end.
            Await.until(ISSUED_WITHIN, "a certificate for " + host, () -> orders(relay, "issue", "success") >= 1
                    && relay.certificates().forHostname(host) != null);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + pebble.logs(), e);
        }
    }

    private static double orders(RelayServer relay, String kind, String outcome) {
        Counter c = relay.meterRegistry().find("homeport.acme.orders").tag("kind", kind).tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private static String adminMetrics(RelayServer relay) throws IOException, InterruptedException {
        InetSocketAddress admin = relay.adminAddress();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin.getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** GET {@code path} over HTTPS as a browser sends it (SNI, pebble's root, name checked); the whole response. */
    private static String httpsGet(int port, String host, String path) throws IOException, InterruptedException {
        try (SSLSocket tls = BrowserTls.open(Pebble.trusting(pebble.root()), port, host)) {
            tls.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(tls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A TLS handshake as a browser makes it: SNI {@code host}, chain checked against pebble's root, name checked. */
    private static X509Certificate[] handshake(int port, String host) throws IOException {
        X509Certificate root;
        try {
            root = pebble.root();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        try (SSLSocket tls = BrowserTls.open(Pebble.trusting(root), port, host)) {
            return (X509Certificate[]) tls.getSession().getPeerCertificates();
        }
    }
}
