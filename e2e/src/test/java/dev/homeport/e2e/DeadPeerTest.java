package dev.homeport.e2e;

import dev.homeport.client.RelayClient;
import dev.homeport.e2e.FaultProxy.Side;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.tunnel.Tunnel;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A connection that dies without a word (a black hole, or one side gone while the other still
 * thinks it is open) is found out by keep-alive on each side that can no longer hear the other,
 * within keepAliveTimeout plus one ping interval; the client logs in again and gets its public port
 * back, and the relay keeps nothing of the dead session: one session, one tunnel, no stream.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeadPeerTest {
    /** Scheduling slack on a busy 2-core machine, on top of the keep-alive bound. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    private static final Duration DETECTED_WITHIN = Reliability.DETECTION_BOUND.plus(SLACK);
    private static final Duration BACK_WITHIN = Duration.ofSeconds(10);

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @AcrossTransports
    void threeBlackHolesInARowEachEndInANewSessionAndLeaveExactlyOneSessionAndItsTunnel(Transport transport) throws Exception {
        LocalService echo = teardown.add(LocalService.echo(0));
        RelayHarness h = teardown.add(start(transport, echo));
        RelayClient client = h.client();
        ClientLog log = h.log(client);
        int port = h.publicPort();

        for (int round = 1; round <= 3; round++) {
            MuxSession before = h.relaySession();
            Socket inFlight = openEchoStream(h, "round " + round);
            int disconnects = log.disconnects();
            int binds = log.binds();
            long t0 = System.nanoTime();

            assertThat(h.proxy().blackHoleAll()).isEqualTo(1);

            Await.until(DETECTED_WITHIN, "the client to notice the black hole", () -> log.disconnects() > disconnects);
            long clientMs = millisSince(t0);
            Await.until(DETECTED_WITHIN, "the relay to notice the black hole", () -> !h.relay().sessions().contains(before));
            long relayMs = millisSince(t0);
            assertEnds(inFlight);
            Await.until(BACK_WITHIN, "the client to log in again and rebind", () -> log.binds() > binds);
            long backMs = millisSince(t0);
            System.out.printf("event=measured scenario=black_hole transport=%s round=%d client_detected_ms=%d relay_detected_ms=%d"
                    + " rebound_ms=%d detection_bound_ms=%d%n", transport, round, clientMs, relayMs, backMs, Reliability.DETECTION_BOUND.toMillis());

            assertThat(log.lastPort()).isEqualTo(port);
            assertThat(h.request(port, "after round " + round)).isEqualTo("after round " + round);
        }

        assertOnlyOneSessionLeft(h, echo, client);
    }

    @ParameterizedTest(name = "{0} vanishes over TLS")
    @EnumSource(Side.class)
    void whenOneSideVanishesWithoutAWordTheOtherNoticesByKeepAliveAndTheClientIsBack(Side gone) throws Exception {
        LocalService echo = teardown.add(LocalService.echo(0));
        RelayHarness h = teardown.add(start(Transport.TLS, echo));
        RelayClient client = h.client();
        ClientLog log = h.log(client);
        MuxSession before = h.relaySession();
        Socket inFlight = openEchoStream(h, "before " + gone + " vanishes");
        int binds = log.binds();
        int disconnects = log.disconnects();
        long t0 = System.nanoTime();

        assertThat(h.proxy().vanishAll(gone)).isEqualTo(1);

        // The side that still holds an open connection must find out by keep-alive; the other heard a reset.
        Await.until(DETECTED_WITHIN, "the client to drop the half-open session", () -> log.disconnects() > disconnects);
        long clientMs = millisSince(t0);
        Await.until(DETECTED_WITHIN, "the relay to drop the half-open session", () -> !h.relay().sessions().contains(before));
        long relayMs = millisSince(t0);
        assertEnds(inFlight);
        Await.until(DETECTED_WITHIN.plus(BACK_WITHIN), "the client to log in again and rebind", () -> log.binds() > binds);
        long backMs = millisSince(t0);
        System.out.printf("event=measured scenario=half_open gone=%s transport=TLS client_detected_ms=%d relay_detected_ms=%d"
                + " rebound_ms=%d detection_bound_ms=%d%n", gone, clientMs, relayMs, backMs, Reliability.DETECTION_BOUND.toMillis());

        assertThat(log.lastPort()).isEqualTo(h.publicPort());
        assertThat(h.request(h.publicPort(), "after")).isEqualTo("after");
        assertOnlyOneSessionLeft(h, echo, client);
    }

    @AcrossTransports
    void aResetLinkEndsTheStreamsOnItAndTheClientIsBackAtOnce(Transport transport) throws Exception {
        LocalService echo = teardown.add(LocalService.echo(0));
        RelayHarness h = teardown.add(start(transport, echo));
        RelayClient client = h.client();
        ClientLog log = h.log(client);
        Socket inFlight = openEchoStream(h, "before the reset");
        int binds = log.binds();

        assertThat(h.proxy().resetAll()).isEqualTo(1);

        assertEnds(inFlight);
        Await.until(BACK_WITHIN, "the client to log in again and rebind", () -> log.binds() > binds);
        assertThat(h.request(h.publicPort(), "after")).isEqualTo("after");
        assertOnlyOneSessionLeft(h, echo, client);
    }

    private static RelayHarness start(Transport transport, LocalService echo) throws Exception {
        return RelayHarness.over(transport)
                .relay(c -> c.withProtocol(Reliability.shortKeepAlive()).withAdmin(new InetSocketAddress("127.0.0.1", 0)))
                .client(c -> c.withProtocol(Reliability.shortKeepAlive()))
                .throughFaultProxy()
                .start(echo.port());
    }

    /** A public connection whose stream is known to be open end to end: one echo went through it. */
    private static Socket openEchoStream(RelayHarness h, String text) throws IOException {
        Socket s = h.connect();
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        byte[] back = s.getInputStream().readNBytes(text.length());
        assertThat(new String(back, StandardCharsets.UTF_8)).isEqualTo(text);
        return s;
    }

    /** The public socket of a stream whose session died hears a close or a reset, not silence. */
    private static void assertEnds(Socket s) throws IOException {
        s.setSoTimeout((int) BACK_WITHIN.toMillis());
        InputStream in = s.getInputStream();
        try {
            assertThat(in.read()).as("end of stream").isEqualTo(-1);
        } catch (SocketTimeoutException e) {
            fail("the public connection of a dead session's stream was left open for " + BACK_WITHIN.toMillis() + " ms");
        } catch (IOException reset) {
            // a reset is a clean end too
        }
    }

    private static void assertOnlyOneSessionLeft(RelayHarness h, LocalService echo, RelayClient client) throws Exception {
        h.awaitAllStreamsClosed(Duration.ofSeconds(5));
        Await.until(Duration.ofSeconds(5), "the local service to have closed every connection", () -> echo.active() == 0);
        MuxSession live = h.relaySession();
        assertThat(client.session()).as("the client's session").isNotNull();
        assertThat(client.session().id()).isEqualTo(live.id());
        List<Tunnel> tunnels = h.relay().tunnels();
        assertThat(tunnels).hasSize(1);
        assertThat(tunnels.get(0).session()).isSameAs(live);
        assertThat(h.proxy().openLinks()).as("connections through the proxy").isEqualTo(1);
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + h.relay().adminAddress().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("homeport_clients_connected 1.0").contains("homeport_streams_open 0.0");
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
