package dev.homeport.e2e;

import dev.homeport.e2e.Payload.Transfer;
import dev.homeport.testsupport.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many short and long streams at once, with random sizes, and a good share ended early and abruptly
 * by either side (a reset, or a close with data unread). Every completed stream must carry its
 * bytes exactly; every cut one must end at the other side too, never hang; and afterwards the
 * relay, the client and this JVM are back where they started: no stream, one session, heap, Netty
 * direct memory, file descriptors and threads at their idle levels, no buffer leak.
 * One minute in the build; {@code -Dhomeport.soak.seconds=N} for longer (docs/reliability.md).
 */
@Timeout(value = 30, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SoakTest {
    private static final int WORKERS = 8;
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final int SHORT_MAX = 64 * 1024;
    private static final int LONG_MAX = 8 << 20;
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(20);
    /** Slack for what a JVM legitimately holds more after a load than before it. */
    private static final long HEAP_SLACK = 16L << 20;
    private static final int LIVE_BUFFER_SLACK = 16;
    /**
     * Netty's allocator keeps chunks it grew to under load (measured: 24-33 MiB more after a 20-30 s
     * soak than after the warm-up), so its figure returns to a plateau, not to the baseline; the live
     * buffer count is the exact check. This bound still fails if even a tenth of the soak's traffic stayed.
     */
    private static final long DIRECT_SLACK = 64L << 20;
    private static final int FD_SLACK = 8;
    private static final int THREAD_SLACK = 4;

    enum Mode { COMPLETE, PUBLIC_RESETS, PUBLIC_CLOSES_EARLY, SERVICE_RESETS, SERVICE_CLOSES_EARLY }

    /** One stream's script, sent as its header so that the local service plays its part. */
    record Plan(int id, long upload, long download, long seed, Mode mode, long cutAt) {
    }

    @RegisterExtension
    final Teardown teardown = new Teardown();

    private final Map<Integer, Transfer[]> atService = new ConcurrentHashMap<>();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Map<Mode, LongAdder> streams = new ConcurrentHashMap<>();
    private final LongAdder bytes = new LongAdder();
    private final AtomicLong ids = new AtomicLong();

    @Test
    void manyStreamsCutAtRandomLeaveNothingBehind() throws Exception {
        Transport transport = Transport.valueOf(System.getProperty("homeport.soak.transport", "TLS"));
        long seed = Long.getLong("homeport.soak.seed", System.nanoTime());
        Duration length = Duration.ofSeconds(Reliability.soakSeconds());
        LocalService service = teardown.add(LocalService.start(this::serve));
        RelayHarness h = teardown.add(RelayHarness.over(transport).start(service.port()));

        run(h, seed, WARM_UP); // pools, caches and JIT grow to their working size before the baseline
        settle(h, service);
        resetCounts();
        ResourceLevels before = ResourceLevels.measure();

        long t0 = System.nanoTime();
        run(h, seed + 1, length);
        long ranMs = (System.nanoTime() - t0) / 1_000_000;
        settle(h, service);
        long settledMs = (System.nanoTime() - t0) / 1_000_000;
        ResourceLevels after = ResourceLevels.measure();
        System.out.printf("event=measured scenario=soak settled_ms=%d measured_ms=%d%n", settledMs, (System.nanoTime() - t0) / 1_000_000);

        System.out.printf("event=measured scenario=soak transport=%s seed=%d ran_ms=%d streams=%s bytes=%d%n"
                + "event=measured scenario=soak before: %s%nevent=measured scenario=soak after:  %s%n",
                transport, seed, ranMs, streams, bytes.sum(), before, after);
        assertThat(failures).as("streams that went wrong (seed " + seed + ")").isEmpty();
        assertThat(service.failures()).as("local service failures (seed " + seed + ")").isEmpty();
        assertThat(streams.get(Mode.COMPLETE).sum()).as("completed streams").isPositive();
        assertThat(h.relay().sessions()).as("relay sessions").hasSize(1);
        assertThat(h.relay().tunnels()).as("relay tunnels").hasSize(1);
        assertThat(after.heapBytes()).as("heap in use after GC").isLessThan(before.heapBytes() + HEAP_SLACK);
        assertThat(after.liveBuffers()).as("buffers not released").isLessThanOrEqualTo(before.liveBuffers() + LIVE_BUFFER_SLACK);
        assertThat(after.nettyDirectBytes()).as("Netty direct memory").isLessThan(before.nettyDirectBytes() + DIRECT_SLACK);
        assertThat(after.allocatorDirectBytes()).as("allocator direct memory").isLessThan(before.allocatorDirectBytes() + DIRECT_SLACK);
        assertThat(after.fds()).as("open file descriptors").isLessThanOrEqualTo(before.fds() + FD_SLACK);
        assertThat(after.threads()).as("live threads").isLessThanOrEqualTo(before.threads() + THREAD_SLACK);
        LeakCheck.assertNoLeaks("the soak");
    }

    /** {@link #WORKERS} threads open streams back to back until {@code length} is over. */
    private void run(RelayHarness h, long seed, Duration length) throws Exception {
        long deadline = System.nanoTime() + length.toNanos();
        List<FutureTask<Void>> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            Random random = new Random(seed * 1000 + w);
            workers.add(Exchange.inThread("soak-" + w, () -> {
                while (System.nanoTime() < deadline && failures.size() < 10) {
                    Plan plan = plan(random);
                    try {
                        publicSide(h, plan);
                    } catch (Exception | AssertionError e) {
                        failures.add("stream " + plan + ": public side: " + e);
                    }
                    streams.computeIfAbsent(plan.mode(), m -> new LongAdder()).increment();
                }
                return null;
            }));
        }
        for (FutureTask<Void> w : workers) {
            w.get(length.toSeconds() + 120, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private Plan plan(Random random) {
        boolean isLong = random.nextInt(5) == 0;
        int max = isLong ? LONG_MAX : SHORT_MAX;
        long upload = random.nextInt(max);
        long download = random.nextInt(max);
        Mode mode = random.nextInt(2) == 0 ? Mode.COMPLETE : Mode.values()[1 + random.nextInt(4)];
        long cutAt = download == 0 ? 0 : random.nextLong(download);
        return new Plan((int) ids.incrementAndGet(), upload, download, random.nextLong(), mode, cutAt);
    }

    private void publicSide(RelayHarness h, Plan plan) throws Exception {
        try (Socket s = h.connect()) {
            s.setSoTimeout((int) SOCKET_TIMEOUT.toMillis());
            DataOutputStream header = new DataOutputStream(s.getOutputStream());
            header.writeInt(plan.id());
            header.writeLong(plan.upload());
            header.writeLong(plan.download());
            header.writeLong(plan.seed());
            header.writeByte(plan.mode().ordinal());
            header.writeLong(plan.cutAt());
            header.flush();
            FutureTask<Transfer> upload = Exchange.inThread("soak-upload-" + plan.id(), () -> {
                Transfer sent = Payload.write(s.getOutputStream(), plan.seed(), plan.upload());
                s.shutdownOutput();
                return sent;
            });
            switch (plan.mode()) {
                case COMPLETE -> {
                    Transfer received = Payload.readToEnd(s.getInputStream());
                    Transfer sent = Exchange.join(upload);
                    Await.until(Duration.ofSeconds(10), "the service's end of stream " + plan.id() + " (public side sent "
                            + sent + ", received " + received + ")", () -> atService.containsKey(plan.id()));
                    Transfer[] there = atService.remove(plan.id());
                    if (!sent.equals(there[1]) || !received.equals(there[0])) {
                        failures.add("stream " + plan + ": bytes differ: sent " + sent + ", service got " + there[1]
                                + "; service sent " + there[0] + ", received " + received);
                    }
                    bytes.add(sent.bytes() + received.bytes());
                }
                case PUBLIC_RESETS, PUBLIC_CLOSES_EARLY -> {
                    bytes.add(s.getInputStream().readNBytes((int) plan.cutAt()).length);
                    cut(s, plan.mode() == Mode.PUBLIC_RESETS);
                    endsQuietly(upload);
                }
                case SERVICE_RESETS, SERVICE_CLOSES_EARLY -> {
                    bytes.add(readUntilEnd(s.getInputStream(), plan, "public"));
                    endsQuietly(upload);
                }
            }
        }
    }

    /** The local service's part: plays the plan its header names. */
    private void serve(Socket s) throws Exception {
        s.setSoTimeout((int) SOCKET_TIMEOUT.toMillis());
        DataInputStream header = new DataInputStream(s.getInputStream());
        Plan plan;
        try {
            plan = new Plan(header.readInt(), header.readLong(), header.readLong(), header.readLong(),
                    Mode.values()[header.readByte()], header.readLong());
        } catch (SocketTimeoutException hang) {
            throw hang;
        } catch (IOException cutEarly) {
            // A public side that resets at once can cut the stream before its header is read here
            // (a reset throws away unread bytes); its own check covers it.
            return;
        }
        try {
            play(s, plan);
        } catch (Exception e) {
            throw new IOException("stream " + plan + " at the local service: " + e, e);
        }
    }

    private void play(Socket s, Plan plan) throws Exception {
        long downloadSeed = plan.seed() * 31 + 7;
        switch (plan.mode()) {
            case COMPLETE -> {
                FutureTask<Transfer> download = Exchange.inThread("soak-download-" + plan.id(), () -> {
                    Transfer sent = Payload.write(s.getOutputStream(), downloadSeed, plan.download());
                    s.shutdownOutput();
                    return sent;
                });
                Transfer received = Payload.readToEnd(s.getInputStream());
                atService.put(plan.id(), new Transfer[] {Exchange.join(download), received});
            }
            case PUBLIC_RESETS, PUBLIC_CLOSES_EARLY -> {
                FutureTask<Transfer> download = Exchange.inThread("soak-download-" + plan.id(),
                        () -> Payload.write(s.getOutputStream(), downloadSeed, plan.download()));
                readUntilEnd(s.getInputStream(), plan, "service");
                endsQuietly(download);
            }
            case SERVICE_RESETS, SERVICE_CLOSES_EARLY -> {
                FutureTask<Transfer> upload = Exchange.inThread("soak-drain-" + plan.id(),
                        () -> Payload.readToEnd(s.getInputStream()));
                Payload.write(s.getOutputStream(), downloadSeed, plan.cutAt());
                cut(s, plan.mode() == Mode.SERVICE_RESETS);
                endsQuietly(upload);
            }
        }
    }

    /** Reads until end of stream or a reset; a read that times out is a stream left hanging. */
    private long readUntilEnd(InputStream in, Plan plan, String side) {
        byte[] buf = new byte[Payload.CHUNK];
        long total = 0;
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
        } catch (SocketTimeoutException e) {
            failures.add("stream " + plan + ": " + side + " side left hanging after " + total + " bytes");
        } catch (IOException reset) {
            // the other side cut the stream: an end
        }
        return total;
    }

    /** Waits for a helper thread whose socket the other side may cut: an I/O error is expected, a hang is not. */
    private void endsQuietly(FutureTask<?> task) {
        try {
            Exchange.join(task);
        } catch (IOException expected) {
            // cut by the other side
        } catch (Exception e) {
            failures.add("helper thread did not end: " + e);
        }
    }

    private static void cut(Socket s, boolean reset) throws IOException {
        if (reset) {
            s.setSoLinger(true, 0);
        }
        s.close();
    }

    private void settle(RelayHarness h, LocalService service) {
        h.awaitAllStreamsClosed(Duration.ofSeconds(30));
        Await.until(Duration.ofSeconds(30), "the local service to close every connection", () -> service.active() == 0);
    }

    private void resetCounts() {
        streams.clear();
        bytes.reset();
        atService.clear();
    }
}
