package dev.homeport.e2e;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client keeps its tunnel through a lost session by itself: it reconnects with backoff and asks
 * for the public port it had, which the relay gives back (a restarted relay because the port is free,
 * a running one because it kept the port reserved for the same token); if the port went to another
 * program meanwhile, any free port will do, as the user asked for none in particular.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReconnectTest {
    private static final Duration REBIND_WITHIN = Duration.ofSeconds(15);

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @AcrossTransports
    void afterTheRelayIsRestartedTheClientReconnectsAndServesTheSamePublicPortAgain(Transport transport) throws Exception {
        LocalService echo = teardown.add(LocalService.echo(0));
        RelayHarness h = teardown.add(RelayHarness.over(transport).start(echo.port()));
        int port = h.publicPort();
        ClientLog log = h.log(h.client());
        assertThat(h.request(port, "before")).isEqualTo("before");

        h.stopRelay();
        assertThatThrownBy(() -> h.request(port, "while the relay is down")).isInstanceOf(ConnectException.class);
        int bindsBefore = log.binds();
        h.startRelay();

        Await.until(REBIND_WITHIN, "the client to bind again on the restarted relay", () -> log.binds() > bindsBefore);
        assertThat(log.lastPort()).isEqualTo(port);
        assertThat(log.disconnects()).isPositive();
        assertThat(h.request(port, "after the restart")).isEqualTo("after the restart");
    }

    @AcrossTransports
    void whenTheRelayCutsTheSessionTheClientRebindsItsPortWithinTheReconnectGrace(Transport transport) throws Exception {
        LocalService echo = teardown.add(LocalService.echo(0));
        RelayHarness h = teardown.add(RelayHarness.over(transport)
                .relay(c -> c.withReconnectGrace(Duration.ofSeconds(30)))
                .start(echo.port()));
        int port = h.publicPort();
        ClientLog log = h.log(h.client());
        MuxSession cut = h.relaySession();
        int bindsBefore = log.binds();

        cut.close(ErrorCode.KEEPALIVE_TIMEOUT, "session cut by the test");

        Await.until(REBIND_WITHIN, "the client to bind again after its session was cut", () -> log.binds() > bindsBefore);
        assertThat(log.lastPort()).isEqualTo(port);
        Await.until(Duration.ofSeconds(5), "the relay to forget the cut session",
                () -> !h.relay().sessions().contains(cut));
        assertThat(h.relaySession()).isNotSameAs(cut);
        assertThat(h.request(port, "after the cut")).isEqualTo("after the cut");
        h.awaitAllStreamsClosed(Duration.ofSeconds(5));
    }

    @Test
    void whenItsRememberedPortWasTakenMeanwhileTheClientTakesAnyFreePortRatherThanGivingUp() throws Exception {
        LocalService echo = teardown.add(LocalService.echo(0));
        RelayHarness h = teardown.add(RelayHarness.over(Transport.TLS).start(echo.port()));
        int port = h.publicPort();
        ClientLog log = h.log(h.client());

        h.stopRelay();
        // While the relay is down, another program takes the port: the relay can grant it to no one.
        ServerSocket foreign = teardown.add(new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1")));
        int bindsBefore = log.binds();
        h.startRelay();

        Await.until(REBIND_WITHIN, "the client to bind again on the restarted relay", () -> log.binds() > bindsBefore);
        assertThat(log.lastPort()).isNotEqualTo(port);
        assertThat(h.client().failure()).as("the client asked for no port in particular: it goes on").isNotDone();
        assertThat(h.request(log.lastPort(), "on another port")).isEqualTo("on another port");
        assertThat(foreign.isBound()).isTrue();
    }
}
