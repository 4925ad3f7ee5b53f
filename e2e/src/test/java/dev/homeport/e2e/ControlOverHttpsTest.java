package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiresProgram;
import dev.homeport.client.Backoff;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.transport.ClientTls;
import dev.homeport.client.transport.ClientTransport;
import dev.homeport.client.transport.RelayTrust;
import dev.homeport.e2e.Exchange.Outcome;
import dev.homeport.e2e.Exchange.Plan;
import dev.homeport.protocol.transport.CertificateFingerprint;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.server.tls.CertificateFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client whose network lets only HTTPS out reaches the relay on the relay's public HTTPS port:
 * {@code wss://localhost:HTTPS_PORT/_homeport}, the same port that serves HTTP tunnels by name. The
 * certificate is the HTTPS port's own (from a test CA, for {@code localhost} and
 * {@code *.example.com}); the client pins it. The control port is never used by these clients.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlOverHttpsTest {
    private static final String TOKEN = "control-over-https-token";
    private static final String PATH = RelayServerConfig.DEFAULT_WEBSOCKET_PATH;
    private static final int STREAMS = 40;
    private static final long MAX_BYTES = 256 * 1024;

    @TempDir
    Path dir;

    @RegisterExtension
    final Teardown teardown = new Teardown();

    private TestCa ca;
    private TestCa.Issued certificate;

    @BeforeEach
    void certificate() throws Exception {
        ca = TestCa.create("Control over HTTPS test CA", dir);
        certificate = ca.issue("localhost", "*.example.com");
    }

    @Test
    void aClientOnTheHttpsPortCarriesConcurrentTcpStreamsIntactAndServesAnHttpTunnelOnTheSamePort() throws Exception {
        RelayServer relay = relay(UnaryOperator.identity());
        CountDownLatch allOpen = new CountDownLatch(STREAMS);
        Map<Integer, Outcome> atService = new ConcurrentHashMap<>();
        LocalService service = teardown.add(LocalService.start(Exchange.localService(atService, allOpen)));
        HttpEchoService web = teardown.add(HttpEchoService.start("web"));

        RelayClient client = client(relay, TOKEN, null, List.of(new TunnelSpec("tcp", "127.0.0.1", service.port(), 0),
                TunnelSpec.http("web", "127.0.0.1", web.port(), "web")));
        Map<String, String> bound = client.bound().get(15, TimeUnit.SECONDS);
        int https = relay.httpsAddress().getPort();
        assertThat(bound.get("web")).isEqualTo("https://web.example.com:" + https);
        assertThat(relay.sessions()).hasSize(1);

        SplittableRandom random = new SplittableRandom(42);
        List<FutureTask<Outcome>> publicSide = new ArrayList<>();
        List<Plan> plans = new ArrayList<>();
        int tcpPort = URI.create(bound.get("tcp")).getPort();
        for (int id = 0; id < STREAMS; id++) {
            // Small: client-to-relay WebSocket frames are masked, which crawls under the PARANOID leak detector (see Transport).
            Plan plan = new Plan(id, random.nextLong(MAX_BYTES + 1), random.nextLong(MAX_BYTES + 1), random.nextLong());
            plans.add(plan);
            Socket s = new Socket("127.0.0.1", tcpPort);
            s.setSoTimeout(30_000);
            publicSide.add(Exchange.inThread("public-" + id, () -> Exchange.asPublicClient(s, plan, allOpen)));
        }
        // While the streams run, the same HTTPS port serves the HTTP tunnel's name.
        RawHttp.Response page = exchange(https, "web.example.com", RawHttp.get("web.example.com", "/during"));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).startsWith("service=web\n").contains("GET /during HTTP/1.1");

        Map<Integer, Outcome> atPublic = new ConcurrentHashMap<>();
        for (FutureTask<Outcome> f : publicSide) {
            Outcome o = Exchange.join(f);
            atPublic.put(o.plan().id(), o);
        }
        Await.until(Duration.ofSeconds(60), "the local service finished every stream",
                () -> atService.size() + service.failures().size() >= STREAMS);
        assertThat(service.failures()).isEmpty();
        for (Plan plan : plans) {
            assertThat(atService.get(plan.id()).received()).as("stream %d upload", plan.id()).isEqualTo(atPublic.get(plan.id()).sent());
            assertThat(atPublic.get(plan.id()).received()).as("stream %d download", plan.id()).isEqualTo(atService.get(plan.id()).sent());
        }
        assertThat(atPublic.values().stream().mapToLong(o -> o.sent().bytes() + o.received().bytes()).sum()).isPositive();
    }

    @Test
    void onlyAWebSocketUpgradeToTheControlPathIsTheRelaysAnyOtherRequestThereReachesTheTunnel() throws Exception {
        RelayServer relay = relay(UnaryOperator.identity());
        HttpEchoService web = teardown.add(HttpEchoService.start("web"));
        client(relay, TOKEN, null, List.of(TunnelSpec.http("web", "127.0.0.1", web.port(), "web"))).bound().get(15, TimeUnit.SECONDS);
        int https = relay.httpsAddress().getPort();

        RawHttp.Response plainGet = exchange(https, "web.example.com", RawHttp.get("web.example.com", PATH));
        assertThat(plainGet.status()).isEqualTo(200);
        assertThat(plainGet.body()).startsWith("service=web\n").contains("GET " + PATH + " HTTP/1.1");

        RawHttp.Response otherPath = exchange(https, "web.example.com", upgrade("web.example.com", PATH + "/more"));
        assertThat(otherPath.status()).as("an upgrade elsewhere is the service's to answer").isEqualTo(200);
        assertThat(web.lastHead()).contains("GET " + PATH + "/more HTTP/1.1");
        RawHttp.Response withQuery = exchange(https, "web.example.com", upgrade("web.example.com", PATH + "?v=1"));
        assertThat(withQuery.status()).as("the control path matches exactly, as on the control port").isEqualTo(200);
        assertThat(web.lastHead()).contains("GET " + PATH + "?v=1 HTTP/1.1");

        try (SSLSocket tls = tls(https, "web.example.com"); RawHttp c = new RawHttp(tls)) {
            String key = RawHttp.webSocketKey();
            RawHttp.Response switched = c.send(upgrade("web.example.com", PATH, key, "X-Probe: relay")).read();
            assertThat(switched.status()).isEqualTo(101);
            assertThat(switched.header("sec-websocket-accept")).isEqualTo(RawHttp.expectedAccept(key));
        }
        assertThat(web.lastHead()).as("the service never saw the relay's upgrade").doesNotContain("x-probe");
    }

    @Test
    void aWrongTokenOnTheHttpsPortIsRefusedClearlyAndRepeatedFailuresAreThrottledThere() throws Exception {
        RelayServer relay = relay(c -> c.withAuthFailureLimit(2, Duration.ofMinutes(1)));
        int https = relay.httpsAddress().getPort();
        for (int i = 0; i < 2; i++) {
            RelayClient intruder = client(relay, "not-the-token-" + i, null, List.of(new TunnelSpec("t", "127.0.0.1", 9, 0)));
            assertThat(intruder.failure().get(15, TimeUnit.SECONDS)).containsIgnoringCase("token");
            intruder.close();
        }
        assertThat(relay.sessions()).isEmpty();

        // The third try from this address is cut before the upgrade is answered.
        try (SSLSocket tls = tls(https, "localhost"); RawHttp c = new RawHttp(tls)) {
            c.send(upgrade("localhost", PATH, RawHttp.webSocketKey()));
            assertThat(c.closedWithin(Duration.ofSeconds(5))).as("closed (EOF or reset) without an answer").isTrue();
        }
        assertThat(relay.meterRegistry().counter("homeport.connections.throttled").count()).isGreaterThanOrEqualTo(1);
        assertThat(relay.meterRegistry().counter("homeport.handshake.failures", "reason", "auth_failed").count()).isEqualTo(2);
    }

    @Test
    @RequiresProgram(value = "tinyproxy", debianPackage = "tinyproxy")
    void aClientBehindAnHttpProxyReachesTheRelayOnItsHttpsPortByConnect() throws Exception {
        RelayServer relay = relay(UnaryOperator.identity());
        int https = relay.httpsAddress().getPort();
        int proxyPort = FreePorts.one();
        WebSocketThroughProxyTest.TinyProxy proxy = teardown.add(WebSocketThroughProxyTest.TinyProxy.start(dir, proxyPort));
        LocalService echo = teardown.add(LocalService.start(c -> c.getInputStream().transferTo(c.getOutputStream())));

        RelayClient client = client(relay, TOKEN, new InetSocketAddress("127.0.0.1", proxyPort),
                List.of(new TunnelSpec("t", "127.0.0.1", echo.port(), 0)));
        int publicPort = URI.create(client.bound().get(15, TimeUnit.SECONDS).get("t")).getPort();

        assertThat(SecurityTest.echoThrough(publicPort, "through the proxy to the HTTPS port")).isEqualTo("through the proxy to the HTTPS port");
        assertThat(proxy.log()).contains("CONNECT localhost:" + https);
    }

    // ---- fixtures ----

    private RelayServer relay(UnaryOperator<RelayServerConfig> settings) throws Exception {
        int ports = FreePorts.block(3);
        CertificateFiles files = CertificateFiles.load(List.of(new CertificateFiles.Pair(certificate.certificateFile(), certificate.keyFile())));
        RelayServerConfig config = RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                        new PortRange(ports, ports + 2), new SingleToken(TOKEN))
                .withShutdownGrace(Duration.ZERO)
                .withHttp(HttpSettings.on(null, "example.com"))
                .withHttps(HttpsSettings.on(new InetSocketAddress("127.0.0.1", 0), files));
        return teardown.add(RelayServer.start(settings.apply(config)));
    }

    /** A client that knows only the HTTPS port, by the name its certificate carries, and pins that certificate. */
    private RelayClient client(RelayServer relay, String token, InetSocketAddress proxy, List<TunnelSpec> tunnels) throws Exception {
        int https = relay.httpsAddress().getPort();
        ClientTransport wss = new ClientTransport(ClientTls.context(new RelayTrust("localhost:" + https,
                CertificateFingerprint.of(certificate.certificate()), null)), PATH, proxy);
        RelayClientConfig config = RelayClientConfig.of("localhost", https, token, tunnels)
                .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
                .withShutdownGrace(Duration.ZERO)
                .withTransport(wss);
        return teardown.add(RelayClient.start(config, new ClientEvents() {
        }));
    }

    private static String upgrade(String host, String path) {
        return upgrade(host, path, RawHttp.webSocketKey());
    }

    private static String upgrade(String host, String path, String key, String... more) {
        List<String> headers = new ArrayList<>(List.of("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + key,
                "Sec-WebSocket-Version: 13"));
        headers.addAll(List.of(more));
        return RawHttp.get(host, path, headers.toArray(String[]::new));
    }

    private RawHttp.Response exchange(int port, String name, String request) throws Exception {
        try (SSLSocket tls = tls(port, name); RawHttp c = new RawHttp(tls)) {
            return c.send(request).read();
        }
    }

    /** A TLS connection as a browser opens it: SNI {@code name}, the chain checked against the test CA. */
    private SSLSocket tls(int port, String name) throws Exception {
        return BrowserTls.open(ca.clientContext(), port, name);
    }
}
