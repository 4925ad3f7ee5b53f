package dev.homeport.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.homeport.client.Backoff;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.transport.RelayHost;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client given two independent relays ({@code --server A,B}) that share a public port range: when
 * the relay holding its session stops, it is on the other within seconds, with its tunnel on the same
 * public port; a relay that closes the handshake is passed over at once; when both are down it waits a
 * growing backoff between rounds, and connects once one comes back.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RelayFailoverTest {
    private static final String TOKEN = "failover-token";
    private static final Duration MOVE_WITHIN = Duration.ofSeconds(5);
    private static final int PUBLIC_PORTS = 4;

    @RegisterExtension
    final Teardown teardown = new Teardown();

    /** Two relays' settings: control ports base and base+1, spare ports base+2 and base+3, then the shared public ports. */
    private record Pair(Transport transport, RelayServerConfig first, RelayServerConfig second) {
        static Pair over(Transport transport) {
            int base = FreePorts.block(4 + PUBLIC_PORTS);
            PortRange shared = new PortRange(base + 4, base + 3 + PUBLIC_PORTS);
            return new Pair(transport, relay(transport, base, base + 2, shared), relay(transport, base + 1, base + 3, shared));
        }

        private static RelayServerConfig relay(Transport transport, int control, int spare, PortRange ports) {
            return transport.relay(RelayServerConfig.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), control),
                    "127.0.0.1", ports, new SingleToken(TOKEN)).withShutdownGrace(Duration.ofSeconds(1)), spare);
        }

        List<RelayHost> hosts() {
            return List.of(new RelayHost(transport.relayHost(), transport.relayPort(first)),
                    new RelayHost(transport.relayHost(), transport.relayPort(second)));
        }
    }

    @AcrossTransports
    void whenTheRelayInUseStopsTheClientMovesToTheOtherAtOnceAndKeepsItsPublicPort(Transport transport) throws Exception {
        LocalService echo = teardown.add(LocalService.echo(0));
        Pair pair = Pair.over(transport);
        RelayServer first = teardown.add(RelayServer.start(pair.first()));
        RelayServer second = teardown.add(RelayServer.start(pair.second()));
        ListAppender<ILoggingEvent> logged = captureClientLog(Level.INFO);
        Events events = new Events();
        RelayClient client = startClient(transport, pair, echo.port(), events);
        int port = URI.create(client.bound().get(10, TimeUnit.SECONDS).get("failover")).getPort();
        RelayServer inUse = first.sessions().size() == 1 ? first : second;
        RelayServer other = inUse == first ? second : first;
        assertThat(other.sessions()).as("one session, on one relay").isEmpty();
        assertThat(request(port, "before")).isEqualTo("before");
        String otherName = (inUse == first ? pair.hosts().get(1) : pair.hosts().get(0)).hostPort();
        assertThat(client.relayInUse()).endsWith(" of 2)");
        int bindsBefore = events.binds.size();

        long stopped = System.nanoTime();
        inUse.close();

        Await.until(MOVE_WITHIN, "the client to bind its tunnel again on the other relay",
                () -> events.binds.size() > bindsBefore && other.sessions().size() == 1);
        long movedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        assertThat(events.binds.get(events.binds.size() - 1)).as("the remembered port, asked of the other relay").endsWith(":" + port);
        assertThat(request(port, "through the other relay")).isEqualTo("through the other relay");
        assertThat(client.relayInUse()).startsWith(otherName + " (");
        assertThat(events.waits).as("no backoff: the other relay was tried at once").allMatch(Duration::isZero);
        List<String> switches = lines(logged, "event=relay_switch");
        assertThat(switches).as("one line for the move").hasSize(1);
        assertThat(switches.get(0)).contains("to=\"" + otherName + "\"");
        assertThat(lines(logged, "event=connected")).last().asString().contains("relay=\"" + otherName + "\"");
        System.out.println("relay failover over " + transport + ": tunnel serving again on the other relay " + movedMillis
                + " ms after the stop");
    }

    @Test
    void withEveryRelayDownTheBackoffGrowsOneLinePerRoundAndARelayComingBackIsJoined() throws Exception {
        LocalService echo = teardown.add(LocalService.echo(0));
        Pair pair = Pair.over(Transport.PLAIN);
        ListAppender<ILoggingEvent> logged = captureClientLog(Level.DEBUG);
        Events events = new Events();
        RelayClient client = startClient(Transport.PLAIN, pair, echo.port(), events);
        int rounds = 4;
        Await.until(Duration.ofSeconds(10), rounds + " rounds of failed connects", () -> events.roundWaits().size() >= rounds);

        List<Duration> waits = events.roundWaits().subList(0, rounds);
        for (int i = 0; i < rounds; i++) {
            long step = 100L << i; // the backoff's doubling ceiling, with "equal jitter" between half and all of it
            assertThat(waits.get(i).toMillis()).as("the wait after round " + (i + 1)).isBetween(step / 2, step);
        }
        List<String> roundLines = lines(logged, "event=disconnected");
        assertThat(roundLines.subList(0, rounds)).as("one line per round, naming both relays")
                .allMatch(l -> l.contains("all 2 relays failed") && l.contains(pair.hosts().get(0).hostPort())
                        && l.contains(pair.hosts().get(1).hostPort()));
        assertThat(levels(logged, "event=disconnected").subList(0, rounds))
                .as("at info the 1st, 2nd and 4th round in a row (RetryLog), the others at debug")
                .containsExactly(Level.INFO, Level.INFO, Level.DEBUG, Level.INFO);
        assertThat(lines(logged, "event=relay_failed")).as("within a round, each move is a debug line")
                .allMatch(l -> l.contains("connection refused"));
        assertThat(lines(logged, "event=relay_switch")).as("no session was lost").isEmpty();
        assertThat(client.bound()).isNotDone();

        RelayServer second = teardown.add(RelayServer.start(pair.second()));
        Map<String, String> bound = client.bound().get(10, TimeUnit.SECONDS);
        assertThat(second.sessions()).hasSize(1);
        int port = URI.create(bound.get("failover")).getPort();
        assertThat(request(port, "once a relay is back")).isEqualTo("once a relay is back");
        assertThat(lines(logged, "event=connected")).singleElement().asString()
                .contains("relay=\"" + pair.hosts().get(1).hostPort() + "\"").contains("place=\"2 of 2\"");
    }

    @Test
    void aRelayThatClosesTheHandshakeIsPassedOverAtOnce() throws Exception {
        LocalService echo = teardown.add(LocalService.echo(0));
        Pair pair = Pair.over(Transport.PLAIN);
        RelayServer second = teardown.add(RelayServer.start(pair.second().withReconnectGrace(Duration.ZERO)));
        // Where the first relay should be, something accepts and closes without a word, as a relay refusing the address does.
        ServerSocket closing = teardown.add(new ServerSocket(pair.first().control().getPort(), 50, InetAddress.getLoopbackAddress()));
        AtomicInteger closed = new AtomicInteger();
        Thread acceptor = new Thread(() -> {
            while (!closing.isClosed()) {
                try (Socket s = closing.accept()) {
                    closed.incrementAndGet();
                } catch (IOException stopped) {
                    return;
                }
            }
        }, "closing-relay");
        acceptor.setDaemon(true);
        acceptor.start();

        // The start is random: clients come one after another until one has started at the closing relay.
        int clients = 0;
        while (closed.get() == 0 && clients < 20) {
            clients++;
            Events events = new Events();
            RelayClient client = startClient(Transport.PLAIN, pair, echo.port(), events);
            int port = URI.create(client.bound().get(10, TimeUnit.SECONDS).get("failover")).getPort();
            assertThat(second.sessions()).hasSize(1);
            assertThat(events.waits).as("passed over at once, no backoff").allMatch(Duration::isZero);
            assertThat(request(port, "client " + clients)).isEqualTo("client " + clients);
            client.close();
            Await.until(Duration.ofSeconds(5), "the relay to forget client " + clients, () -> second.sessions().isEmpty());
        }
        assertThat(closed).as("one of " + clients + " clients started at the closing relay").hasPositiveValue();
    }

    private RelayClient startClient(Transport transport, Pair pair, int localPort, Events events) {
        RelayClientConfig config = RelayClientConfig.of(transport.relayHost(), transport.relayPort(pair.first()), TOKEN,
                        List.of(new TunnelSpec("failover", "127.0.0.1", localPort, 0)))
                .withRelays(pair.hosts())
                .withBackoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2)))
                .withShutdownGrace(Duration.ofSeconds(1));
        return teardown.add(RelayClient.start(transport.client(config), events));
    }

    private String request(int port, String text) throws Exception {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private ListAppender<ILoggingEvent> captureClientLog(Level level) {
        Logger clientLog = (Logger) LoggerFactory.getLogger(RelayClient.class.getPackageName()); // RelayClient, RelayFailover
        Level before = clientLog.getLevel();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        clientLog.setLevel(level);
        clientLog.addAppender(appender);
        teardown.add(() -> {
            clientLog.detachAppender(appender);
            clientLog.setLevel(before);
        });
        return appender;
    }

    private static List<String> lines(ListAppender<ILoggingEvent> logged, String event) {
        return List.copyOf(logged.list).stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith(event)).toList();
    }

    private static List<Level> levels(ListAppender<ILoggingEvent> logged, String event) {
        return List.copyOf(logged.list).stream().filter(e -> e.getFormattedMessage().startsWith(event))
                .map(ILoggingEvent::getLevel).toList();
    }

    /** The public address of every binding, and every wait the client announced before its next attempt. */
    private static final class Events implements ClientEvents {
        final List<String> binds = new CopyOnWriteArrayList<>();
        final List<Duration> waits = new CopyOnWriteArrayList<>();

        @Override
        public void tunnelBound(TunnelSpec tunnel, String publicAddress, boolean first) {
            binds.add(publicAddress);
        }

        @Override
        public void disconnected(String reason, Duration retryIn) {
            waits.add(retryIn);
        }

        /** The waits at the end of a round; a move to the next relay waits nothing. */
        List<Duration> roundWaits() {
            return waits.stream().filter(d -> !d.isZero()).toList();
        }
    }
}
