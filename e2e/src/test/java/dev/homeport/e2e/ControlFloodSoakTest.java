package dev.homeport.e2e;

import dev.homeport.client.Backoff;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Bind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay as deployed on a small VPS ({@code homeport-server} in its own JVM at -Xmx256m, TLS), and
 * for 30 s one non-reading client per kind of answered frame (PING, BIND of an unknown kind, BIND the
 * registry refuses, BIND of any port), each reconnecting as soon as the relay ends it. Meanwhile
 * another tenant's bulk echo stream must keep flowing, new sessions must be accepted during and
 * after, and the relay's RSS and direct memory stay within {@link #RSS_BOUND} and {@link #DIRECT_BOUND}.
 * Measured here with the relay at PARANOID leak detection (2026-12-08, 3 runs): RSS 100 to 362 MiB,
 * direct memory at most 9 MiB, the tenant at 45 to 103 MiB/s before, 33 to 69 during (two busy cores
 * shared with four flooders; the slowest second 1 to 19 MiB) and 137 to 232 after. On the code before
 * the answers were bounded, RSS went from 167 to 403 MiB within the 30 s and the tenant's stream was
 * reset; before {@code maxAnswerRate}, and before a closing session stopped reading, the relay's loop
 * answered a flooder for seconds, the tenant's session on the same loop heard nothing for 5 s and was
 * ended as silent.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ControlFloodSoakTest {
    private static final Duration FLOOD = Duration.ofSeconds(30);
    private static final Duration BASELINE = Duration.ofSeconds(5);
    /** Heap at its -Xmx (256 MiB) plus what the JVM holds outside it (metaspace, code, threads, direct buffers). */
    private static final long RSS_BOUND = 512L << 20;
    /** A few MiB of answers per flooder at most, plus the allocator's chunks. */
    private static final long DIRECT_BOUND = 96L << 20;
    private static final int CHUNK = 64 * 1024;

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    private final Queue failures = new Queue();
    private final Set<RawSession> open = ConcurrentHashMap.newKeySet();

    @Test
    void nonReadingFloodersOfEveryAnsweredFrameLeaveMemoryBoundedAnotherTenantFlowingAndNewSessionsAccepted() throws Exception {
        int base = FreePorts.block(6);
        int admin = base + 5;
        CliProcess relay = teardown.add(CliProcess.server(dir, "--control", "127.0.0.1:" + base,
                "--ports", (base + 1) + "-" + (base + 4), "--bind-address", "127.0.0.1", "--token", RelayHarness.TOKEN,
                "--cert", Transport.certificate().certificateFile().toString(),
                "--key", Transport.certificate().keyFile().toString(),
                "--admin", "127.0.0.1:" + admin, "--state-dir", dir.resolve("state").toString(),
                "--ping-interval", "1s", "--keepalive-timeout", "5s", "--shutdown-grace", "1s"));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);
        InetSocketAddress control = new InetSocketAddress(InetAddress.getLoopbackAddress(), base);

        LocalService echo = teardown.add(LocalService.echo(0));
        RelayClient tenant = RelayClient.start(Transport.TLS.client(RelayClientConfig.of("127.0.0.1", base, RelayHarness.TOKEN,
                        List.of(new TunnelSpec("tenant", "127.0.0.1", echo.port(), 0)))
                .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
                .withShutdownGrace(Duration.ofSeconds(1))), new ClientLog());
        teardown.add(tenant::close);
        int publicPort = URI.create(tenant.bound().get(10, TimeUnit.SECONDS).get("tenant")).getPort();

        Socket stream = teardown.add(new Socket("127.0.0.1", publicPort));
        stream.setSoTimeout(20_000);
        LongAdder echoed = new LongAdder();
        // Ended below once the window after the flood is measured; the flooders' last writes may block
        // until the relay closes them, so no fixed time fits. The bound is the test's own timeout.
        AtomicLong streamEnd = new AtomicLong(System.nanoTime() + TimeUnit.MINUTES.toNanos(4));
        Thread pusher = daemon("tenant-pusher", () -> push(stream, streamEnd));
        Thread reader = daemon("tenant-reader", () -> read(stream, echoed));

        long rssBefore = rss(relay.pid());
        long baselineBytes = window(echoed, BASELINE);

        long floodEnd = System.nanoTime() + FLOOD.toNanos();
        LongAdder floodSessions = new LongAdder();
        List<Thread> flooders = new ArrayList<>();
        for (AnswerFloodTest.Flood flood : AnswerFloodTest.Flood.values()) {
            flooders.add(daemon("flood-" + flood, () -> flood(control, flood, floodEnd, floodSessions)));
        }
        long maxRss = 0;
        long maxDirect = 0;
        int accepted = 0;
        List<Long> perWindow = new ArrayList<>();
        for (int second = 0; System.nanoTime() < floodEnd; second++) {
            long before = echoed.sum();
            Thread.sleep(1000);
            perWindow.add(echoed.sum() - before);
            maxRss = Math.max(maxRss, rss(relay.pid()));
            maxDirect = Math.max(maxDirect, directBytes(admin));
            if (second % 5 == 0) {
                assertThat(answersABind(control)).as("a new session during the flood").isTrue();
                accepted++;
            }
        }
        for (Thread f : flooders) {
            f.join(15_000);
        }
        open.forEach(s -> {
            try {
                s.close(); // a flooder still blocked in a write the relay does not read
            } catch (IOException ignored) {
                // closing is all that is asked
            }
        });
        long afterBytes = window(echoed, BASELINE);
        maxRss = Math.max(maxRss, rss(relay.pid()));
        assertThat(answersABind(control)).as("a new session after the flood").isTrue();
        streamEnd.set(0);
        pusher.join(30_000);
        reader.join(30_000);

        long floodBytes = perWindow.stream().mapToLong(Long::longValue).sum();
        System.out.printf("event=measured scenario=control_flood_soak flood_s=%d flood_sessions=%d accepted_probes=%d "
                        + "rss_before_mib=%d rss_max_mib=%d direct_max_mib=%d tenant_mib_per_s_before=%.1f "
                        + "tenant_mib_per_s_during=%.1f tenant_mib_per_s_after=%.1f slowest_second_kib=%d%n",
                FLOOD.toSeconds(), floodSessions.sum(), accepted, rssBefore >> 20, maxRss >> 20, maxDirect >> 20,
                mibPerSecond(baselineBytes, BASELINE), mibPerSecond(floodBytes, Duration.ofSeconds(perWindow.size())),
                mibPerSecond(afterBytes, BASELINE), perWindow.stream().mapToLong(Long::longValue).min().orElse(0) >> 10);
        assertThat(failures.all()).as("the tenant's stream and the flooders' own failures").isEmpty();
        assertThat(floodSessions.sum()).as("flooding sessions the relay accepted and ended").isGreaterThan(4);
        assertThat(perWindow).as("tenant bytes echoed in each second of the flood").allMatch(b -> b > 0);
        assertThat(afterBytes).as("tenant bytes echoed after the flood").isPositive();
        assertThat(maxRss).as("relay RSS").isLessThan(RSS_BOUND);
        assertThat(maxDirect).as("relay direct memory").isLessThan(DIRECT_BOUND);
        assertThat(relay.stderr()).as("relay errors").noneMatch(l -> l.contains("OutOfMemoryError") || l.contains("event=out_of_memory"));
    }

    /** Sessions of one kind of flood, back to back: each writes until the relay ends it, then the next one starts. */
    private void flood(InetSocketAddress control, AnswerFloodTest.Flood flood, long end, LongAdder sessions) {
        while (System.nanoTime() < end) {
            try (RawSession s = RawSession.openTls(control, RelayHarness.TOKEN, 1 << 20, 4096)) {
                open.add(s);
                sessions.increment();
                for (int i = 1; System.nanoTime() < end; i += 5_000) {
                    s.write(flood.batch(i));
                }
                open.remove(s);
            } catch (IOException endedByRelay) {
                // FLOODING, then the connection closed: the next session starts
            }
        }
    }

    /** A fresh session that reads: the relay accepts it and answers its BIND. */
    private static boolean answersABind(InetSocketAddress control) throws IOException {
        try (RawSession s = RawSession.openTls(control, RelayHarness.TOKEN, 1 << 20)) {
            s.sendBind(new Bind(1, 99, 0, "probe"));
            return s.awaitBindAnswer().type() == FrameType.BIND_REFUSED;
        }
    }

    private void push(Socket s, AtomicLong end) {
        byte[] chunk = new byte[CHUNK];
        try {
            OutputStream out = s.getOutputStream();
            while (System.nanoTime() < end.get()) {
                out.write(chunk);
            }
            s.shutdownOutput();
        } catch (IOException e) {
            failures.add("tenant push: " + e);
        }
    }

    private void read(Socket s, LongAdder echoed) {
        byte[] buf = new byte[CHUNK];
        try {
            InputStream in = s.getInputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                echoed.add(n);
            }
        } catch (IOException e) {
            failures.add("tenant read: " + e);
        }
    }

    private static long window(LongAdder bytes, Duration d) throws InterruptedException {
        long before = bytes.sum();
        Thread.sleep(d.toMillis());
        return bytes.sum() - before;
    }

    private static double mibPerSecond(long bytes, Duration d) {
        return bytes / 1048576.0 / Math.max(1, d.toSeconds());
    }

    /** VmRSS of the relay's process, from /proc. */
    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    /** The larger of the relay's two direct-memory figures (Netty's own count, the JDK's pool) from /metrics. */
    private static long directBytes(int admin) throws Exception {
        Scrape scrape = Scrape.of(admin);
        double netty = scrape.value("homeport_memory_direct_used_bytes", "source", "netty");
        double jdk = scrape.value("homeport_memory_direct_used_bytes", "source", "jdk");
        return (long) Math.max(netty, jdk);
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Failures seen off the test thread. */
    private static final class Queue {
        private final ConcurrentLinkedQueue<String> items = new ConcurrentLinkedQueue<>();

        void add(String failure) {
            items.add(failure);
        }

        List<String> all() {
            return List.copyOf(items);
        }
    }
}
