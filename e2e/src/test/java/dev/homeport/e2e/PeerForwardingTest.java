package dev.homeport.e2e;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelAccess;
import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.cluster.ClusterSettings;
import dev.homeport.server.cluster.PeerRouteTable;
import dev.homeport.server.cluster.RemoteRoute;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.server.peer.PeerSecret;
import dev.homeport.server.peer.PeerSettings;
import dev.homeport.server.tls.CertificateFiles;
import dev.homeport.server.tunnel.Tunnel;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Three relays of one cluster in this JVM, their peer links on loopback and their routes filled by
 * hand (as the registry's watch would): a client bound on relay 2 is served through the public
 * side of relays 1 and 3, which forward each public connection over a peer link, with the access
 * rules applied where the connection arrives.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PeerForwardingTest {
    private static final String TOKEN = "peer-forwarding-test-token";
    private static final String SECRET_TEXT = "cluster-secret-for-the-peer-tests";
    private static final TokenKey SECRET = PeerSecret.of(SECRET_TEXT);
    private static final int MIB_16 = 16 * 1024 * 1024;
    private static final InetAddress OTHER_CLIENT = address("127.0.0.5");

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<PeerRouteTable> tables = new ArrayList<>();
    private final List<RelayServer> relays = new ArrayList<>();
    private TestCa ca;
    private CertificateFiles certificates;
    private PortRange ports;

    @BeforeEach
    void cluster() throws Exception {
        ca = TestCa.create("Cluster test CA", dir);
        TestCa.Issued wildcard = ca.issue("*.example.com");
        certificates = CertificateFiles.load(List.of(new CertificateFiles.Pair(wildcard.certificateFile(), wildcard.keyFile())));
        int base = FreePorts.block(4);
        ports = new PortRange(base, base + 3);
        for (int i = 1; i <= 3; i++) {
            relays.add(relay(i, SECRET));
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aTcpPortBoundOnRelay2EchoesAChecksummed16MiBEachWayThroughRelays1And3() throws Exception {
        LocalService echo = LocalService.echo(0);
        open.add(echo);
        int port = publicPort(bind(client(relay(2), new TunnelSpec("echo", "127.0.0.1", echo.port(), 0))));
        routePort(port, relay(1), relay(3));

        for (RelayServer arriving : List.of(relay(1), relay(3))) {
            try (Socket s = new Socket()) {
                s.connect(publicAddress(arriving, port), 5_000);
                s.setSoTimeout(30_000);
                CompletableFuture<Payload.Transfer> sent = CompletableFuture.supplyAsync(() -> {
                    try {
                        Payload.Transfer t = Payload.write(s.getOutputStream(), 7, MIB_16);
                        s.shutdownOutput();
                        return t;
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                Payload.Transfer received = Payload.readToEnd(s.getInputStream());
                assertThat(received).isEqualTo(sent.get(60, TimeUnit.SECONDS));
                assertThat(received.bytes()).isEqualTo(MIB_16);
            }
            assertThat(bytes(arriving, "to_peer")).isGreaterThanOrEqualTo(MIB_16);
            assertThat(bytes(arriving, "from_peer")).isGreaterThanOrEqualTo(MIB_16);
            assertThat(counter(arriving, "homeport.peer.streams.forwarded", "kind", "tcp")).isEqualTo(1);
        }
        assertThat(counter(relay(2), "homeport.peer.streams.received", "kind", "tcp")).isEqualTo(2);
        assertThat(gauge(relay(2), "homeport.peer.links", "inbound")).isEqualTo(2);
        assertThat(gauge(relay(1), "homeport.peer.links", "outbound")).isEqualTo(1);
    }

    @Test
    void anHttpHostBoundOnRelay2IsServedThroughRelay1WithTheTrueClientInXForwardedFor() throws Exception {
        HttpEchoService app = HttpEchoService.start("app");
        open.add(app);
        bind(client(relay(2), TunnelSpec.http("app", "127.0.0.1", app.port(), "app").withAccess(TunnelAccess.NONE)));
        routeHost("app.example.com", "http", relay(1));

        try (Socket raw = from(OTHER_CLIENT, relay(1).httpAddress()); RawHttp http = new RawHttp(raw)) {
            for (int i = 0; i < 3; i++) { // one connection, one forwarded stream, several requests
                RawHttp.Response r = http.send(RawHttp.get("app.example.com", "/r" + i, "X-Forwarded-For: 6.6.6.6")).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).startsWith("service=app\n").contains("GET /r" + i + " HTTP/1.1");
            }
        }
        assertThat(app.lastHead()).contains("x-forwarded-for: 127.0.0.5\n", "x-forwarded-proto: http\n",
                "x-forwarded-host: app.example.com\n").doesNotContain("6.6.6.6");
        assertThat(app.connections.get()).isEqualTo(1);
        assertThat(counter(relay(1), "homeport.peer.streams.forwarded", "kind", "http")).isEqualTo(1);
    }

    @Test
    void httpsTerminatedAtRelay1AndTlsPassedThroughRelay1ReachTheirClientsOnRelay2() throws Exception {
        HttpEchoService app = HttpEchoService.start("app");
        open.add(app);
        TestCa home = TestCa.create("Home CA", dir);
        TestCa.Issued nasCertificate = home.issue("nas.example.com");
        TlsEchoService nas = TlsEchoService.start(nasCertificate);
        open.add(nas);
        RelayClient client = client(relay(2), TunnelSpec.http("app", "127.0.0.1", app.port(), "app"),
                TunnelSpec.tls("nas", "127.0.0.1", nas.port(), "nas"));
        bind(client);
        routeHost("app.example.com", "http", relay(1));
        routeHost("nas.example.com", "tls", relay(1));

        try (SSLSocket s = tls(relay(1).httpsAddress(), "app.example.com", ca.clientContext(), OTHER_CLIENT); RawHttp https = new RawHttp(s)) {
            RawHttp.Response r = https.send(RawHttp.get("app.example.com", "/secure")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("GET /secure HTTP/1.1");
        }
        assertThat(app.lastHead()).contains("x-forwarded-proto: https\n", "x-forwarded-for: 127.0.0.5\n");
        // The tunnel asked for HTTPS only: relay 1, which serves the name over HTTPS, redirects plain HTTP itself.
        try (RawHttp plain = new RawHttp(relay(1).httpAddress())) {
            RawHttp.Response r = plain.send(RawHttp.get("app.example.com", "/x")).read();
            assertThat(r.status()).isEqualTo(308);
            assertThat(r.headers().get("location")).isEqualTo("https://app.example.com:" + relay(1).httpsAddress().getPort() + "/x");
        }

        try (SSLSocket s = tls(relay(1).httpsAddress(), "nas.example.com", home.clientContext(), OTHER_CLIENT)) {
            assertThat((X509Certificate) s.getSession().getPeerCertificates()[0]).isEqualTo(nasCertificate.certificate());
            byte[] sent = new byte[1 << 20];
            new java.util.Random(3).nextBytes(sent);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    s.getOutputStream().write(sent);
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(s.getInputStream().readNBytes(sent.length)).isEqualTo(sent);
            writing.get(30, TimeUnit.SECONDS);
        }
        assertThat(counter(relay(1), "homeport.peer.streams.forwarded", "kind", "tls")).isEqualTo(1);
    }

    @Test
    void anAllowListIsEnforcedAtRelay1WithThePublicAddressItSees() throws Exception {
        LocalService echo = LocalService.echo(0);
        open.add(echo);
        HttpEchoService app = HttpEchoService.start("app");
        open.add(app);
        TunnelAccess onlyOther = new TunnelAccess(false, "", List.of("127.0.0.5/32"));
        RelayClient client = client(relay(2), new TunnelSpec("echo", "127.0.0.1", echo.port(), 0).withAccess(onlyOther),
                TunnelSpec.http("app", "127.0.0.1", app.port(), "app").withAccess(onlyOther));
        bind(client);
        int port = publicPort(client.addresses().get("echo"));
        routePort(port, relay(1));
        routeHost("app.example.com", "http", relay(1));

        try (Socket refused = from(address("127.0.0.1"), publicAddress(relay(1), port))) {
            assertThat(readsToEnd(refused.getInputStream())).isZero();
        }
        try (RawHttp http = new RawHttp(relay(1).httpAddress())) {
            assertThat(http.send(RawHttp.get("app.example.com", "/")).read().status()).isEqualTo(403);
        }
        assertThat(echo.accepted()).isZero();
        assertThat(app.connections.get()).isZero();
        assertThat(counter(relay(1), "homeport.peer.streams.refused", "reason", "access")).isEqualTo(1);

        try (Socket admitted = from(OTHER_CLIENT, publicAddress(relay(1), port))) {
            admitted.getOutputStream().write("ping".getBytes());
            assertThat(admitted.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes());
        }
    }

    @Test
    void aRelayWithAnotherSecretIsRefusedAndItsPublicConnectionsClosedAndAClientWithTheSecretIsNoRelay() throws Exception {
        LocalService echo = LocalService.echo(0);
        open.add(echo);
        int port = publicPort(bind(client(relay(2), new TunnelSpec("echo", "127.0.0.1", echo.port(), 0))));
        RelayServer stranger = relay(4, PeerSecret.of("another-secret-that-is-long-enough"));
        routePort(port, stranger);

        try (Socket s = new Socket()) {
            s.connect(publicAddress(stranger, port), 5_000);
            s.setSoTimeout(10_000);
            assertThat(readsToEnd(s.getInputStream())).isZero();
        }
        Await.until(Duration.ofSeconds(10), "relay 2 counts the refused link",
                () -> counter(relay(2), "homeport.peer.links.refused", "reason", "auth_failed") == 1);
        assertThat(gauge(relay(2), "homeport.peer.links", "inbound")).isZero();
        assertThat(counter(stranger, "homeport.peer.streams.refused", "reason", "link_unavailable")).isEqualTo(1);
        assertThat(echo.accepted()).isZero();

        // A client that knows the cluster secret is still no relay: its session ends right after the handshake.
        RelayClient impostor = RelayClient.start(RelayClientConfig.of("127.0.0.2", relay(2).peerAddress().getPort(),
                SECRET_TEXT, List.of(new TunnelSpec("echo", "127.0.0.1", echo.port(), 0)))
                .withShutdownGrace(Duration.ZERO), new ClientEvents() {
        });
        open.add(impostor);
        Await.until(Duration.ofSeconds(10), "relay 2 refuses the client on its peer port",
                () -> counter(relay(2), "homeport.peer.links.refused", "reason", "not_a_relay") >= 1);
        impostor.close();
        assertThat(gauge(relay(2), "homeport.peer.links", "inbound")).isZero();
    }

    @Test
    void whenTheClientLeavesRelay2TheForwardedConnectionEndsOnBothSidesAndNewOnesAreRefused() throws Exception {
        LocalService echo = LocalService.echo(0);
        open.add(echo);
        RelayClient client = client(relay(2), new TunnelSpec("echo", "127.0.0.1", echo.port(), 0));
        int port = publicPort(bind(client));
        routePort(port, relay(1));

        try (Socket s = new Socket()) {
            s.connect(publicAddress(relay(1), port), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("hello".getBytes());
            assertThat(s.getInputStream().readNBytes(5)).isEqualTo("hello".getBytes());
            assertThat(echo.active()).isEqualTo(1);

            client.close();

            assertThat(readsToEnd(s.getInputStream())).isZero(); // the public side ends (reset or EOF)
            Await.until(Duration.ofSeconds(10), "the service's side of the stream ends", () -> echo.active() == 0);
        }
        // The route is still there (no registry here to withdraw it): relay 2 refuses the stream, relay 1 closes.
        try (Socket s = new Socket()) {
            s.connect(publicAddress(relay(1), port), 5_000);
            s.setSoTimeout(10_000);
            assertThat(readsToEnd(s.getInputStream())).isZero();
        }
        assertThat(counter(relay(2), "homeport.peer.streams.refused", "reason", "not_served")).isEqualTo(1);
        assertThat(echo.accepted()).isEqualTo(1);
    }

    @Test
    void aLocalBindTakesTheForwardedPortBackAndAReservedPortForwardsWhileItsClientIsElsewhere() throws Exception {
        LocalService two = LocalService.start(c -> c.getOutputStream().write("two".getBytes()));
        open.add(two);
        LocalService one = LocalService.start(c -> c.getOutputStream().write("one".getBytes()));
        open.add(one);
        int port = publicPort(bind(client(relay(2), new TunnelSpec("svc", "127.0.0.1", two.port(), 0))));
        routePort(port, relay(1));
        assertThat(answerThrough(relay(1), port)).isEqualTo("two");

        // A client of relay 1 binds the same port: the forwarding listener gives it up, the local tunnel wins.
        RelayClient local = client(relay(1), new TunnelSpec("svc", "127.0.0.1", one.port(), port));
        bind(local);
        assertThat(relay(1).forwardedPorts()).doesNotContain(port);
        assertThat(answerThrough(relay(1), port)).isEqualTo("one");

        // That client leaves: relay 1 holds the port for its reconnect, and meanwhile forwards to relay 2, which serves it.
        local.close();
        Await.until(Duration.ofSeconds(10), "relay 1 holds the port without a session",
                () -> relay(1).tunnels().stream().anyMatch(t -> t.port() == port && t.session() == null));
        assertThat(answerThrough(relay(1), port)).isEqualTo("two");
    }

    @Test
    void aServiceThatDoesNotReadStopsAPublicWriterThroughTheForwardedStream() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        LocalService stalled = LocalService.start(c -> {
            release.await(60, TimeUnit.SECONDS);
            Payload.readToEnd(c.getInputStream());
        });
        open.add(stalled);
        int port = publicPort(bind(client(relay(2), new TunnelSpec("stall", "127.0.0.1", stalled.port(), 0))));
        routePort(port, relay(1));
        long cap = 256L * 1024 * 1024;
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        try (Socket s = new Socket()) {
            s.connect(publicAddress(relay(1), port), 5_000);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    while (written.get() < cap) {
                        s.getOutputStream().write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            long before;
            do { // until the writer has been blocked for a whole second
                before = written.get();
                Await.sleep(Duration.ofSeconds(1));
            } while (written.get() != before && written.get() < cap);
            // Windows, read-ahead and the kernel buffers of four sockets hold it; without backpressure all 256 MiB would go.
            assertThat(written.get()).isLessThan(64L * 1024 * 1024);
            s.close(); // ends the blocked writer
            assertThat(writer).failsWithin(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
        }
        Await.until(Duration.ofSeconds(10), "the service's side ends too", () -> stalled.active() == 0);
    }

    @Test
    void aLostPeerLinkEndsItsForwardedConnectionsOnBothSidesAndIsDialedAgainAtTheNextConnection() throws Exception {
        LocalService echo = LocalService.echo(0);
        open.add(echo);
        int port = publicPort(bind(client(relay(2), new TunnelSpec("echo", "127.0.0.1", echo.port(), 0))));
        FaultProxy link = FaultProxy.to(relay(2).peerAddress());
        open.add(link);
        Tunnel tunnel = relay(2).tunnels().get(0);
        table(relay(1)).port(port, new RemoteRoute("r2", new InetSocketAddress("127.0.0.1", link.port()), "tcp", tunnel.access()));
        Await.until(Duration.ofSeconds(10), "relay 1 listens on the port", () -> relay(1).forwardedPorts().contains(port));

        try (Socket s = new Socket()) {
            s.connect(publicAddress(relay(1), port), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("before".getBytes());
            assertThat(s.getInputStream().readNBytes(6)).isEqualTo("before".getBytes());

            assertThat(link.resetAll()).isEqualTo(1);

            assertThat(readsToEnd(s.getInputStream())).isZero();
            Await.until(Duration.ofSeconds(10), "the service's side ends too", () -> echo.active() == 0);
        }
        Await.until(Duration.ofSeconds(10), "relay 1 sees the link down", () -> gauge(relay(1), "homeport.peer.links", "outbound") == 0);
        try (Socket s = new Socket()) {
            s.connect(publicAddress(relay(1), port), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("after".getBytes());
            assertThat(s.getInputStream().readNBytes(5)).isEqualTo("after".getBytes());
        }
        assertThat(link.accepted()).isEqualTo(2);
    }

    // ---- helpers ----

    /** What the service behind {@code port} sends, read through {@code relay}'s public side. */
    private static String answerThrough(RelayServer relay, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(publicAddress(relay, port), 5_000);
            s.setSoTimeout(10_000);
            return new String(s.getInputStream().readAllBytes());
        }
    }

    private RelayServer relay(int n) {
        return relays.get(n - 1);
    }

    /**
     * Relay {@code n} listens on 127.0.0.{@code n} only, as if on a host of its own: every relay of a
     * cluster listens on the same public TCP ports.
     */
    private RelayServer relay(int n, TokenKey secret) throws Exception {
        PeerRouteTable table = new PeerRouteTable();
        tables.add(table);
        String host = "127.0.0." + n;
        RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress(host, 0), host, ports,
                        new SingleToken(TOKEN))
                .withShutdownGrace(Duration.ZERO)
                .withMaxConnectionsPerAddress(10_000)
                .withHttp(HttpSettings.on(new InetSocketAddress(host, 0), "example.com"))
                .withHttps(HttpsSettings.on(new InetSocketAddress(host, 0), certificates))
                .withCluster(new ClusterSettings("r" + n, new InetSocketAddress(host, 0), table,
                        PeerSettings.withSecret(secret))));
        open.add(relay);
        return relay;
    }

    /** Where {@code relay} takes public connections for TCP port {@code port}. */
    private static InetSocketAddress publicAddress(RelayServer relay, int port) {
        return new InetSocketAddress(relay.config().bindAddress(), port);
    }

    private PeerRouteTable table(RelayServer relay) {
        int i = relays.indexOf(relay);
        return tables.get(i >= 0 ? i : tables.size() - 1);
    }

    /** What the registry's watch would publish on the other relays: relay 2's tunnel on {@code port}, with its rules. */
    private void routePort(int port, RelayServer... arriving) {
        Tunnel tunnel = relay(2).tunnels().stream().filter(t -> t.port() == port && t.hostname().isEmpty()).findFirst().orElseThrow();
        for (RelayServer r : arriving) {
            table(r).port(port, new RemoteRoute("r2", relay(2).peerAddress(), "tcp", tunnel.access()));
            Await.until(Duration.ofSeconds(10), "relay listens on forwarded port " + port, () -> r.forwardedPorts().contains(port));
        }
    }

    private void routeHost(String host, String kind, RelayServer... arriving) {
        Tunnel tunnel = relay(2).tunnels().stream().filter(t -> t.hostname().equals(host)).findFirst().orElseThrow();
        for (RelayServer r : arriving) {
            table(r).host(host, new RemoteRoute("r2", relay(2).peerAddress(), kind, tunnel.access()));
        }
    }

    private RelayClient client(RelayServer relay, TunnelSpec... tunnels) {
        RelayClient c = RelayClient.start(RelayClientConfig.of(relay.controlAddress().getHostString(), relay.controlAddress().getPort(), TOKEN,
                List.of(tunnels)).withShutdownGrace(Duration.ZERO), new ClientEvents() {
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

    /** The port of a TCP tunnel's public address, {@code HOST:PORT} or {@code tcp://HOST:PORT}. */
    private static int publicPort(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    private static Socket from(InetAddress source, InetSocketAddress target) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(target, 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static SSLSocket tls(InetSocketAddress target, String serverName, SSLContext context, InetAddress source)
            throws Exception {
        Socket raw = from(source, target);
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(raw, serverName, target.getPort(), true);
        SSLParameters parameters = s.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(parameters);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    /** Bytes read until the connection ends; a reset ends it too. */
    private static int readsToEnd(InputStream in) {
        int total = 0;
        try {
            for (int n; (n = in.read(new byte[4096])) >= 0; ) {
                total += n;
            }
        } catch (IOException reset) {
            // a reset is an end too
        }
        return total;
    }

    private static double bytes(RelayServer relay, String direction) {
        MeterRegistry m = relay.meterRegistry();
        return m.get("homeport.peer.traffic").tag("direction", direction).functionCounter().count();
    }

    private static double counter(RelayServer relay, String name, String tag, String value) {
        var c = relay.meterRegistry().find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    private static double gauge(RelayServer relay, String name, String direction) {
        return relay.meterRegistry().get(name).tag("direction", direction).gauge().value();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
