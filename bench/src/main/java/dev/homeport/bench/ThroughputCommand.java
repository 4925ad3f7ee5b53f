package dev.homeport.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** N connections each moving B bytes at once, up (to a sink) or down (from a generator). */
@Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Aggregate MB/s of N parallel connections each moving B bytes (MB = 10^6 bytes).")
final class ThroughputCommand implements Callable<Integer> {

    enum Direction { up, down }

    @Mixin
    PathOptions path;

    @Option(names = "--streams", defaultValue = "1", description = "Parallel connections, one thread each (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--bytes", defaultValue = "1g", description = "Bytes per connection, e.g. 256m, 1g (default: ${DEFAULT-VALUE}).")
    ByteSize bytes;

    @Option(names = "--direction", defaultValue = "up",
            description = "up = client sends to a sink, down = client receives from a generator (default: ${DEFAULT-VALUE}).")
    Direction direction;

    @Override
    public Integer call() throws InterruptedException {
        if (streams < 1 || streams > 64) {
            throw new BenchFailure("--streams must be 1-64 (one platform thread each), got " + streams, BenchFailure.USAGE);
        }
        long perStream = bytes.bytes();
        List<BulkStream> conns = new ArrayList<>();
        try (Watchdog watchdog = new Watchdog(path.maxSeconds)) {
            for (int i = 0; i < streams; i++) {
                conns.add(watchdog.guard(BulkStream.connect(path.target, path.connectTimeoutMillis)));
            }
            long[] ends = new long[streams];
            Throwable[] errors = new Throwable[streams];
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                int idx = i;
                BulkStream s = conns.get(i);
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        if (direction == Direction.up) {
                            s.upload(perStream, () -> false);
                        } else {
                            s.download(perStream);
                        }
                    } catch (IOException | InterruptedException | RuntimeException e) {
                        errors[idx] = e;
                    } finally {
                        ends[idx] = System.nanoTime();
                    }
                }, "stream-" + i);
                threads.add(t);
                t.start();
            }
            long start = System.nanoTime();
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            long end = 0;
            long total = 0;
            double minRate = Double.MAX_VALUE;
            double maxRate = 0;
            for (int i = 0; i < streams; i++) {
                end = Math.max(end, ends[i]);
                long moved = conns.get(i).transferred();
                total += moved;
                double rate = moved / ((ends[i] - start) / 1e9) / 1e6;
                minRate = Math.min(minRate, rate);
                maxRate = Math.max(maxRate, rate);
            }
            double seconds = (end - start) / 1e9;
            double mbPerSecond = total / seconds / 1e6;
            String status = watchdog.expired() ? "timeout" : firstError(errors) == null ? "ok" : "failed";

            Report report = new Report("throughput")
                    .put("target", path.target.toString())
                    .put("direction", direction.name())
                    .put("streams", streams)
                    .put("bytes_per_stream", perStream)
                    .put("total_bytes", total)
                    .put("seconds", Report.round(seconds, 4))
                    .put("mb_per_s", Report.round(mbPerSecond, 1))
                    .put("mbit_per_s", Report.round(mbPerSecond * 8, 1))
                    .put("stream_min_mb_per_s", Report.round(minRate, 1))
                    .put("stream_max_mb_per_s", Report.round(maxRate, 1))
                    .put("status", status);
            String sentence = String.format(Locale.ROOT,
                    "throughput %s %s: %d stream(s) x %s in %.3f s = %.1f MB/s (%.0f Mbit/s), per stream %.1f-%.1f MB/s [%s]",
                    direction, path.target, streams, human(perStream), seconds, mbPerSecond, mbPerSecond * 8,
                    minRate, maxRate, status);
            Throwable error = firstError(errors);
            if (status.equals("failed")) {
                report.put("error", error.getMessage());
            }
            report.print(sentence, System.out);
            return switch (status) {
                case "ok" -> 0;
                case "timeout" -> BenchFailure.TIMED_OUT;
                default -> throw BenchFailure.io("transferring through " + path.target, error);
            };
        } finally {
            conns.forEach(Watchdog::closeQuietly);
        }
    }

    private static Throwable firstError(Throwable[] errors) {
        for (Throwable t : errors) {
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 20) == 0) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes + " B";
    }
}
