package dev.homeport.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.message.Hello;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.server.tls.CertificateFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control port before anyone authenticated, against clients that do not follow the protocol: bytes
 * that are not TLS on the TLS port, a handshake dragged out byte by byte, a frame of another version.
 * Each is cut where PROTOCOL.md says, with one line of log at most, and counted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlPortHygieneTest {
    private static final String TOKEN = "control-port-hygiene-token";
    private static final Duration DEADLINE = Duration.ofSeconds(3);
    /** Half a second before the deadline: a deadline that restarted here would end 3 s later. */
    private static final long FIRST_BYTES_AT_MS = 2_500;
    /** Past the deadline by far less than the 2.5 s a restarted deadline would add. */
    private static final long CLOSED_BY_MS = 4_500;
    private static final int NOT_TLS_CONNECTIONS = 100;

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    @Test
    void bytesThatAreNotTlsOnTheTlsControlPortAreCountedEachAndLoggedInOneLineWithoutAStackTrace() throws Exception {
        RelayServer relay = relay(c -> Transport.TLS.relay(c).withAuthFailureLimit(10 * NOT_TLS_CONNECTIONS, Duration.ofMinutes(1)));
        ListAppender<ILoggingEvent> logged = captureLogs();
        byte[] hello = RawHandshake.bytes(new Hello(1, 1, new byte[Hello.NONCE_LENGTH], 1 << 20, 65536, "plaintext"));

        long start = System.nanoTime();
        for (int i = 0; i < NOT_TLS_CONNECTIONS; i++) {
            try (Socket plain = RawSession.connect(relay.controlAddress())) {
                plain.getOutputStream().write(hello);
                assertThat(closedByRelay(plain)).isTrue();
            }
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

        Await.until(Duration.ofSeconds(5), "every failure counted", () ->
                relay.meterRegistry().counter("homeport.tls.failures", "reason", "not_tls").count() == NOT_TLS_CONNECTIONS);
        List<ILoggingEvent> events = List.copyOf(logged.list);
        assertThat(events).as("no stack trace").allMatch(e -> e.getThrowableProxy() == null);
        assertThat(events).as("nothing from Netty's pipeline").noneMatch(e -> e.getLoggerName().startsWith("io.netty"));
        List<ILoggingEvent> lines = events.stream().filter(e -> e.getFormattedMessage().startsWith("event=tls_failed")).toList();
        assertThat(lines).as("one line per 10 s").hasSizeBetween(1, 1 + (int) (seconds / 10));
        assertThat(lines.get(0).getFormattedMessage()).contains("reason=not_tls").contains("unlogged_since_last=0");

        // A TLS record that is no ClientHello: TLS itself fails, counted apart.
        try (Socket broken = RawSession.connect(relay.controlAddress())) {
            broken.getOutputStream().write(new byte[]{0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00});
            assertThat(closedByRelay(broken)).isTrue();
        }
        Await.until(Duration.ofSeconds(5), "the broken TLS counted", () ->
                relay.meterRegistry().counter("homeport.tls.failures", "reason", "handshake").count() == 1);
        assertThat(logged.list).as("no stack trace").allMatch(e -> e.getThrowableProxy() == null);

        // With the default limit, the address is throttled like one that fails logins: cut before TLS.
        RelayServer strict = relay(Transport.TLS::relay);
        for (int i = 0; i < 3 * RelayServerConfig.DEFAULT_AUTH_FAILURE_BURST; i++) {
            try (Socket plain = RawSession.connect(strict.controlAddress())) {
                plain.getOutputStream().write(hello);
                closedByRelay(plain);
            } catch (SocketException reset) {
                // throttled while connecting
            }
        }
        assertThat(strict.meterRegistry().counter("homeport.tls.failures", "reason", "not_tls").count())
                .isBetween((double) RelayServerConfig.DEFAULT_AUTH_FAILURE_BURST, RelayServerConfig.DEFAULT_AUTH_FAILURE_BURST + 3.0);
        assertThat(strict.meterRegistry().counter("homeport.connections.throttled").count())
                .isGreaterThanOrEqualTo(2.0 * RelayServerConfig.DEFAULT_AUTH_FAILURE_BURST - 3);
    }

    @Test
    void theHandshakeDeadlineRunsFromTheConnectionWhateverTheTransport() throws Exception {
        TestCa ca = TestCa.create("Control port hygiene test CA", dir);
        TestCa.Issued certificate = ca.issue("localhost");
        CertificateFiles files = CertificateFiles.load(List.of(new CertificateFiles.Pair(certificate.certificateFile(),
                certificate.keyFile())));
        UnaryOperator<RelayServerConfig> deadline = c -> c.withProtocol(ProtocolSettings.defaults().withHandshakeTimeout(DEADLINE));
        RelayServer tls = relay(c -> deadline.apply(Transport.TLS.relay(c))
                .withHttp(HttpSettings.on(null, "example.com"))
                .withHttps(HttpsSettings.on(new InetSocketAddress("127.0.0.1", 0), files)));
        RelayServer plain = relay(deadline);
        byte[] version = {Frame.VERSION};
        byte[] upgrade = ("GET " + RelayServerConfig.DEFAULT_WEBSOCKET_PATH + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + RawHttp.webSocketKey() + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        assertThat(msUntilClosed(() -> RawSession.connectTls(tls.controlAddress()), version)).as("TLS")
                .isBetween(FIRST_BYTES_AT_MS, CLOSED_BY_MS);
        assertThat(msUntilClosed(() -> RawSession.connect(plain.controlAddress()), version)).as("plaintext")
                .isBetween(FIRST_BYTES_AT_MS, CLOSED_BY_MS);
        assertThat(msUntilClosed(() -> RawSession.connectTls(tls.controlAddress()), upgrade)).as("WebSocket on the control port")
                .isBetween(FIRST_BYTES_AT_MS, CLOSED_BY_MS);
        assertThat(msUntilClosed(() -> BrowserTls.open(ca.clientContext(), tls.httpsAddress().getPort(), "localhost"), upgrade))
                .as("WebSocket on the public HTTPS port").isBetween(FIRST_BYTES_AT_MS, CLOSED_BY_MS);
    }

    @Test
    void aFrameHeaderOfVersion2GetsGoAwayUnsupportedVersionBeforeAndAfterTheHandshake() throws Exception {
        RelayServer relay = relay(Transport.TLS::relay);
        byte[] version2 = {2, (byte) FrameType.PING.code(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 8};

        try (Socket before = RawSession.connectTls(relay.controlAddress())) {
            before.getOutputStream().write(version2);
            Frame answer = RawHandshake.read(new DataInputStream(before.getInputStream()));
            assertThat(answer.type()).isEqualTo(FrameType.GO_AWAY);
            assertThat(GoAway.decode(answer.payload()).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        }
        try (Socket firstByteOnly = RawSession.connectTls(relay.controlAddress())) {
            firstByteOnly.getOutputStream().write(version2[0]);
            Frame answer = RawHandshake.read(new DataInputStream(firstByteOnly.getInputStream()));
            assertThat(GoAway.decode(answer.payload()).code()).as("told at once, not at the deadline")
                    .isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        }
        try (RawSession after = RawSession.openTls(relay.controlAddress(), TOKEN, 1 << 20)) {
            after.sendRaw(version2);
            GoAway goAway = after.awaitGoAway();
            assertThat(goAway).as("a GO_AWAY before the close").isNotNull();
            assertThat(goAway.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(goAway.message()).isEqualTo("frame version 2 is not supported; this peer speaks version 1");
        }
    }

    // ---- fixtures ----

    private interface Connect {
        Socket open() throws Exception;
    }

    /** Connects, sends {@code bytes} at {@link #FIRST_BYTES_AT_MS}, then nothing: how long until the relay hung up. */
    private static long msUntilClosed(Connect connect, byte[] bytes) throws Exception {
        long start = System.nanoTime();
        try (Socket s = connect.open()) {
            Thread.sleep(Math.max(0, FIRST_BYTES_AT_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            assertThat(closedByRelay(s)).isTrue();
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
    }

    private static boolean closedByRelay(Socket s) throws IOException {
        s.setSoTimeout(15_000);
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // whatever the relay says first (GO_AWAY, a TLS alert, 101 Switching Protocols)
            }
        } catch (SocketException reset) {
            // closed too
        }
        return true;
    }

    private RelayServer relay(UnaryOperator<RelayServerConfig> settings) throws Exception {
        int base = FreePorts.block(3);
        return teardown.add(RelayServer.start(settings.apply(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base),
                "127.0.0.1", new PortRange(base + 1, base + 2), new SingleToken(TOKEN)).withShutdownGrace(Duration.ZERO))));
    }

    private ListAppender<ILoggingEvent> captureLogs() {
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        teardown.add(() -> root.detachAppender(appender));
        return appender;
    }
}
