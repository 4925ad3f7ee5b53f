package dev.homeport.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Head-of-line check: ping-pong latency on one connection while bulk uploads (or downloads, with
 * {@code --bulk-direction down}) saturate other connections through the same entry. A multiplexed tunnel that lets bulk data starve small
 * messages shows it here. Latency is measured idle first on the same connection, for comparison.
 */
@Command(name = "fairness", mixinStandardHelpOptions = true,
        description = "Ping-pong latency idle and while bulk uploads or downloads run through the same target.")
final class FairnessCommand implements Callable<Integer> {

    @Mixin
    PathOptions path;

    @Option(names = "--messages", defaultValue = "2000", description = "Measured round trips, idle and loaded each (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--size", defaultValue = "64", description = "Message size in bytes, >= 8 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--warmup", defaultValue = "1000", description = "Unrecorded round trips before each phase (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--bulk-streams", defaultValue = "1", description = "Bulk connections (default: ${DEFAULT-VALUE}).")
    int bulkStreams;

    @Option(names = "--bulk-direction", defaultValue = "up",
            description = "up: the bulk connections upload to the sink; down: they download from the generator, so the "
                    + "echo replies wait behind bulk on the way back (default: ${DEFAULT-VALUE}).")
    String bulkDirection;

    @Option(names = "--phase-seconds", defaultValue = "20",
            description = "Each phase (idle, loaded) ends after --messages or this long, whichever is first (warm-ups: 5 s at most);"
                    + " a path that starves small messages then reports fewer samples (default: ${DEFAULT-VALUE}).")
    long phaseSeconds;

    @Option(names = "--settle-ms", defaultValue = "1000",
            description = "Bulk runs this long before latency is measured, so queues are full (default: ${DEFAULT-VALUE}).")
    long settleMillis;

    @Override
    public Integer call() throws InterruptedException {
        if (bulkStreams < 1 || bulkStreams > 16) {
            throw new BenchFailure("--bulk-streams must be 1-16, got " + bulkStreams, BenchFailure.USAGE);
        }
        if (!bulkDirection.equals("up") && !bulkDirection.equals("down")) {
            throw new BenchFailure("--bulk-direction must be up or down, got " + bulkDirection, BenchFailure.USAGE);
        }
        boolean down = bulkDirection.equals("down");
        Histogram idle = new Histogram(3);
        Histogram loaded = new Histogram(3);
        List<BulkStream> bulk = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        IOException[] bulkErrors = new IOException[bulkStreams];
        AtomicBoolean stop = new AtomicBoolean();
        try (Watchdog watchdog = new Watchdog(path.maxSeconds);
             PingPong ping = watchdog.guard(PingPong.connect(path.target, size, path.connectTimeoutMillis))) {
            ping.run(warmup, null, watchdog, warmupEnd());
            ping.run(messages, idle, watchdog, phaseEnd());

            for (int i = 0; i < bulkStreams; i++) {
                BulkStream s = watchdog.guard(BulkStream.connect(path.target, path.connectTimeoutMillis));
                bulk.add(s);
                int idx = i;
                Thread t = new Thread(() -> {
                    try {
                        if (down) {
                            s.downloadUntil(stop::get);
                        } else {
                            s.upload(Long.MAX_VALUE, stop::get);
                        }
                    } catch (IOException e) {
                        bulkErrors[idx] = e;
                    }
                }, "bulk-" + i);
                threads.add(t);
                t.start();
            }
            Thread.sleep(settleMillis);
            ping.run(warmup, null, watchdog, warmupEnd());
            long bytesBefore = moved(bulk);
            long start = System.nanoTime();
            ping.run(messages, loaded, watchdog, phaseEnd());
            long elapsedNanos = System.nanoTime() - start;
            long bytesDuring = moved(bulk) - bytesBefore;
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            boolean bulkFailed = !watchdog.expired() && Arrays.stream(bulkErrors).anyMatch(e -> e != null);
            double bulkRate = bytesDuring / (elapsedNanos / 1e9) / 1e6;
            String status = watchdog.expired() || loaded.getTotalCount() == 0 ? "timeout" : bulkFailed ? "failed" : "ok";
            Report report = new Report("fairness")
                    .put("target", path.target.toString())
                    .put("size", size)
                    .put("bulk_streams", bulkStreams)
                    .put("bulk_direction", bulkDirection)
                    .put("bulk_mb_per_s", Report.round(bulkRate, 1))
                    .putLatency("", loaded)
                    .putLatency("idle_", idle)
                    .put("status", status);
            report.print(String.format(Locale.ROOT,
                    "fairness %s: %d x %d B ping-pong under %d bulk %s(s) at %.1f MB/s: %s (idle: %s) [%s]",
                    path.target, loaded.getTotalCount(), size, bulkStreams, down ? "download" : "upload", bulkRate, Report.latencySentence(loaded),
                    Report.latencySentence(idle), status), System.out);
            if (bulkFailed) {
                IOException first = Arrays.stream(bulkErrors).filter(e -> e != null).findFirst().orElseThrow();
                throw BenchFailure.io("bulk " + (down ? "download" : "upload") + " through " + path.target, first);
            }
            return status.equals("ok") ? 0 : BenchFailure.TIMED_OUT;
        } catch (IOException e) {
            throw BenchFailure.io("ping-pong through " + path.target, e);
        } finally {
            stop.set(true);
            bulk.forEach(Watchdog::closeQuietly);
            for (Thread t : threads) {
                t.join(1000);
            }
        }
    }

    private long warmupEnd() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(5, phaseSeconds));
    }

    private long phaseEnd() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(phaseSeconds);
    }

    private static long moved(List<BulkStream> streams) {
        return streams.stream().mapToLong(BulkStream::transferred).sum();
    }
}
