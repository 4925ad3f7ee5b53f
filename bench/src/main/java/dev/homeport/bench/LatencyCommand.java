package dev.homeport.bench;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Ping-pong round trips on one idle echo connection. */
@Command(name = "latency", mixinStandardHelpOptions = true,
        description = "Round-trip latency of small messages on one echo connection (p50/p90/p99/max in microseconds).")
final class LatencyCommand implements Callable<Integer> {

    @Mixin
    PathOptions path;

    @Option(names = "--messages", defaultValue = "10000", description = "Measured round trips (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--size", defaultValue = "64", description = "Message size in bytes, >= 8 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--warmup", defaultValue = "1000", description = "Unrecorded round trips first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() {
        Histogram nanos = new Histogram(3);
        try (Watchdog watchdog = new Watchdog(path.maxSeconds);
             PingPong ping = watchdog.guard(PingPong.connect(path.target, size, path.connectTimeoutMillis))) {
            ping.run(warmup, null, watchdog);
            int done = ping.run(messages, nanos, watchdog);
            String status = done == messages ? "ok" : "timeout";
            new Report("latency")
                    .put("target", path.target.toString())
                    .put("size", size)
                    .put("warmup", warmup)
                    .putLatency("", nanos)
                    .put("status", status)
                    .print(String.format(Locale.ROOT, "latency %s: %d x %d B round trips: %s [%s]",
                            path.target, nanos.getTotalCount(), size, Report.latencySentence(nanos), status), System.out);
            return done == messages ? 0 : BenchFailure.TIMED_OUT;
        } catch (IOException e) {
            throw BenchFailure.io("ping-pong through " + path.target, e);
        }
    }
}
