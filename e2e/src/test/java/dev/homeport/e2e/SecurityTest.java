package dev.homeport.e2e;

import dev.homeport.client.Backoff;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.transport.ClientTls;
import dev.homeport.client.transport.ClientTransport;
import dev.homeport.client.transport.KnownRelays;
import dev.homeport.client.transport.RelayTrust;
import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.AnyOfTokens;
import dev.homeport.server.auth.FileTokenDirectory;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.tls.RelayCertificate;
import dev.homeport.server.tls.ServerTls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's defences, one scenario each (issue: secure by default): tokens and their rights,
 * revocation, replay, brute force, the handshake deadline, and the client's check of the relay's
 * certificate. Each also shows that everyone else is left untouched.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecurityTest {
    private static final String TOKEN = "security-test-token";

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
    void aThousandBadHandshakesFromOneAddressAreThrottledWhileAnotherAddressStillConnects() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), c -> c.withAuthFailureLimit(10, Duration.ofMinutes(1)));
        InetSocketAddress control = relay.controlAddress();
        InetAddress attacker = InetAddress.getByName("127.0.0.1");
        int refusedWithReason = 0;
        int dropped = 0;
        for (int i = 0; i < 1_000; i++) {
            RawHandshake.Result r = RawHandshake.attempt(control, attacker, "guess-" + i);
            assertThat(r.outcome()).isNotEqualTo(RawHandshake.Outcome.WELCOMED);
            if (r.outcome() == RawHandshake.Outcome.REFUSED) {
                assertThat(r.code()).isEqualTo(ErrorCode.AUTH_FAILED);
                refusedWithReason++;
            } else {
                dropped++;
            }
        }
        // Ten free failures, and at most a couple refilled during the run; everything else is cut before TLS or a nonce.
        assertThat(refusedWithReason).isBetween(10, 13);
        assertThat(dropped).isGreaterThanOrEqualTo(987);
        assertThat(relay.meterRegistry().counter("homeport.handshake.failures", "reason", "auth_failed").count())
                .isEqualTo(refusedWithReason);
        assertThat(relay.meterRegistry().counter("homeport.connections.throttled").count()).isGreaterThanOrEqualTo(dropped);

        RawHandshake.Result neighbour = RawHandshake.attempt(control, InetAddress.getByName("127.0.0.2"), TOKEN);
        assertThat(neighbour.outcome()).isEqualTo(RawHandshake.Outcome.WELCOMED);
    }

    @Test
    void aRecordedSuccessfulHandshakeReplayedOnANewConnectionIsRejected() throws Exception {
        RelayServer relay = relay(new SingleToken(TOKEN), UnaryOperator.identity());
        RawHandshake.Result recorded = RawHandshake.attempt(relay.controlAddress(), InetAddress.getLoopbackAddress(), TOKEN);
        assertThat(recorded.outcome()).isEqualTo(RawHandshake.Outcome.WELCOMED);

        RawHandshake.Result replayed = RawHandshake.replay(relay.controlAddress(), recorded.helloAndAuth());

        assertThat(replayed.outcome()).isEqualTo(RawHandshake.Outcome.REFUSED);
        assertThat(replayed.code()).isEqualTo(ErrorCode.AUTH_FAILED);
    }

    @Test
    void anIdleUnauthenticatedConnectionIsClosedAtTheHandshakeDeadline() throws Exception {
        io.netty.handler.ssl.SslContext tls = sslContext(certificate());
        RelayServer relay = relay(new SingleToken(TOKEN), c -> c
                .withProtocol(ProtocolSettings.defaults().withHandshakeTimeout(Duration.ofMillis(500)))
                .withTls(tls));
        try (Socket idle = new Socket()) {
            idle.connect(relay.controlAddress(), 5_000);
            idle.setSoTimeout(10_000);
            long start = System.nanoTime();
            InputStream in = idle.getInputStream();
            // Says nothing, not even a TLS ClientHello: the relay hangs up on its own.
            while (in.read() >= 0) {
                // discard whatever TLS alert comes first
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void revokingATokenClosesItsLiveSessionAtOnceAndLeavesOtherClientsServing() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        String alice = file.add("alice", new TokenRights(null, List.of()));
        String bob = file.add("bob", new TokenRights(null, List.of()));
        FileTokenDirectory tokens = new FileTokenDirectory(file);
        open.add(tokens);
        RelayServer relay = relay(new AnyOfTokens(List.of(tokens)), UnaryOperator.identity());
        LocalService echo = echoService();
        RelayClient aliceClient = client(relay, alice, echo.port(), 0, ClientTransport.plain());
        RelayClient bobClient = client(relay, bob, echo.port(), 0, ClientTransport.plain());
        int bobPort = boundPort(bobClient);
        boundPort(aliceClient);
        Await.until(Duration.ofSeconds(5), "token list shows both logins",
                () -> readLastUsed(file).keySet().containsAll(List.of("alice", "bob")));

        assertThat(file.revoke("alice")).isTrue();

        String failure = aliceClient.failure().get(10, TimeUnit.SECONDS);
        assertThat(failure).contains("does not accept that token");
        Await.until(Duration.ofSeconds(5), "alice's session gone", () -> relay.sessions().size() == 1);
        assertThat(echoThrough(bobPort, "still here")).isEqualTo("still here");
    }

    @Test
    void aTokenCannotBindOutsideItsPortsNorTakeAPortReservedForAnotherToken() throws Exception {
        int base = FreePorts.block(5);
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        PortRange shared = new PortRange(base + 1, base + 2);
        String alice = file.add("alice", new TokenRights(shared, List.of()));
        String bob = file.add("bob", new TokenRights(shared, List.of()));
        String carol = file.add("carol", new TokenRights(new PortRange(base + 3, base + 4), List.of()));
        FileTokenDirectory tokens = new FileTokenDirectory(file);
        open.add(tokens);
        RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                new PortRange(base + 1, base + 4), new AnyOfTokens(List.of(tokens))).withShutdownGrace(Duration.ZERO));
        open.add(relay);
        LocalService echo = echoService();

        RelayClient carolAsksForAlicesPort = client(relay, carol, echo.port(), base + 1, ClientTransport.plain());
        assertThat(carolAsksForAlicesPort.failure().get(10, TimeUnit.SECONDS))
                .contains("token carol may bind ports " + (base + 3) + "-" + (base + 4) + " only, not " + (base + 1));

        RelayClient bobFirst = client(relay, bob, echo.port(), base + 1, ClientTransport.plain());
        assertThat(boundPort(bobFirst)).isEqualTo(base + 1);
        bobFirst.close(); // bob's port is now reserved for bob during the reconnect grace

        RelayClient aliceWantsIt = client(relay, alice, echo.port(), base + 1, ClientTransport.plain());
        assertThat(aliceWantsIt.failure().get(10, TimeUnit.SECONDS)).as("the port asked for or an error, never another port")
                .contains("port " + (base + 1) + " is reserved for another token");
        RelayClient bobAgain = client(relay, bob, echo.port(), base + 1, ClientTransport.plain());
        assertThat(boundPort(bobAgain)).isEqualTo(base + 1);
        assertThat(echoThrough(base + 1, "bob's")).isEqualTo("bob's");
    }

    @Test
    void aRelayWhoseCertificateIsNotThePinnedOneIsRefusedWithAClearMessage() throws Exception {
        RelayCertificate cert = certificate();
        io.netty.handler.ssl.SslContext tls = sslContext(cert);
        RelayServer relay = relay(new SingleToken(TOKEN), c -> c.withTls(tls));
        LocalService echo = echoService();
        String wrong = "SHA256:" + "A".repeat(43);
        RelayClient pinnedWrong = client(relay, TOKEN, echo.port(), 0, tls(relay, "SHA256:" + "A".repeat(42) + "E", null));
        String failure = pinnedWrong.failure().get(10, TimeUnit.SECONDS);
        assertThat(failure).contains("presented certificate " + cert.fingerprint()).contains("--fingerprint expects");

        RelayClient pinnedRight = client(relay, TOKEN, echo.port(), 0, tls(relay, cert.fingerprint(), null));
        assertThat(echoThrough(boundPort(pinnedRight), "pinned")).isEqualTo("pinned");
        assertThat(wrong).isNotEqualTo(cert.fingerprint());
    }

    @Test
    void aRelayIsTrustedOnFirstUseAndAChangedCertificateIsRefusedAfterwards() throws Exception {
        Path known = dir.resolve("known_relays");
        RelayCertificate first = certificate();
        io.netty.handler.ssl.SslContext firstTls = sslContext(first);
        RelayServer relay = relay(new SingleToken(TOKEN), c -> c.withTls(firstTls));
        LocalService echo = echoService();
        RelayClient firstUse = client(relay, TOKEN, echo.port(), 0, tls(relay, null, known));
        assertThat(echoThrough(boundPort(firstUse), "tofu")).isEqualTo("tofu");
        assertThat(Files.readString(known)).contains(first.fingerprint());

        RelayCertificate other = RelayCertificate.selfSigned(dir.resolve("impostor"), List.of("127.0.0.1"));
        io.netty.handler.ssl.SslContext otherTls = sslContext(other);
        RelayServer impostor = relay(new SingleToken(TOKEN), c -> c.withTls(otherTls));
        String key = "127.0.0.1:" + relay.controlAddress().getPort();
        // The impostor answers on another port; make the record name it, as if it had taken over the relay's address.
        Files.writeString(known, Files.readString(known).replace(key, "127.0.0.1:" + impostor.controlAddress().getPort()));
        RelayClient fooled = client(impostor, TOKEN, echo.port(), 0, tls(impostor, null, known));

        assertThat(fooled.failure().get(10, TimeUnit.SECONDS))
                .contains("presented certificate " + other.fingerprint())
                .contains("records " + first.fingerprint())
                .contains("delete that line or pass --fingerprint");
    }

    // ---- fixtures ----

    private RelayServer relay(TokenDirectory tokens, UnaryOperator<RelayServerConfig> settings) throws Exception {
        int base = FreePorts.block(3);
        RelayServer relay = RelayServer.start(settings.apply(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base),
                "127.0.0.1", new PortRange(base + 1, base + 2), tokens).withShutdownGrace(Duration.ZERO)));
        open.add(relay);
        return relay;
    }

    private RelayCertificate certificate() throws Exception {
        return RelayCertificate.selfSigned(dir.resolve("relay"), List.of("localhost", "127.0.0.1"));
    }

    private static io.netty.handler.ssl.SslContext sslContext(RelayCertificate cert) throws Exception {
        return ServerTls.context(cert);
    }

    private static ClientTransport tls(RelayServer relay, String pinned, Path known) throws Exception {
        String hostPort = "127.0.0.1:" + relay.controlAddress().getPort();
        return new ClientTransport(ClientTls.context(new RelayTrust(hostPort, pinned, known == null ? null : new KnownRelays(known))),
                null, null);
    }

    private RelayClient client(RelayServer relay, String token, int localPort, int remotePort, ClientTransport transport) {
        RelayClientConfig config = RelayClientConfig.of("127.0.0.1", relay.controlAddress().getPort(), token,
                        List.of(new TunnelSpec("t", "127.0.0.1", localPort, remotePort)))
                .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
                .withShutdownGrace(Duration.ZERO)
                .withTransport(transport);
        RelayClient c = RelayClient.start(config, new ClientEvents() { });
        open.add(c);
        return c;
    }

    private static int boundPort(RelayClient client) throws Exception {
        return URI.create(client.bound().get(10, TimeUnit.SECONDS).get("t")).getPort();
    }

    private LocalService echoService() throws Exception {
        LocalService echo = LocalService.start(connection -> connection.getInputStream().transferTo(connection.getOutputStream()));
        open.add(echo);
        return echo;
    }

    private static java.util.Map<String, String> readLastUsed(TokenFile file) {
        try {
            return FileTokenDirectory.readLastUsed(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String echoThrough(int publicPort, String text) throws Exception {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", publicPort), 5_000);
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
