package dev.homeport.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Opens many echo connections through the path, proves each live with one round trip, holds them
 * (printing READY so a script can measure the relay, or running --exec), proves them live again,
 * and closes them all.
 */
@Command(name = "concurrency", mixinStandardHelpOptions = true,
        description = "Open and hold N live connections; prints 'READY streams=N' while holding.")
final class ConcurrencyCommand implements Callable<Integer> {

    @Mixin
    PathOptions path;

    @Option(names = "--streams", defaultValue = "10000", description = "Connections to hold (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--hold-seconds", defaultValue = "5",
            description = "Hold all connections at least this long after READY (default: ${DEFAULT-VALUE}).")
    long holdSeconds;

    @Option(names = "--exec", paramLabel = "COMMAND",
            description = "Run this with /bin/sh -c after READY and hold until it exits too; it sees"
                    + " HOMEPORT_BENCH_STREAMS and HOMEPORT_BENCH_TARGET.")
    String exec;

    @Option(names = "--parallel", defaultValue = "256", description = "Connection attempts in flight (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--echo-timeout-ms", defaultValue = "10000", description = "Per round trip (default: ${DEFAULT-VALUE}).")
    long echoTimeoutMillis;

    @Option(names = "--threads", defaultValue = "0", description = "Event loop threads (0 = one per core).")
    int threads;

    @Override
    public Integer call() throws InterruptedException {
        if (streams < 1) {
            throw new BenchFailure("--streams must be at least 1, got " + streams, BenchFailure.USAGE);
        }
        if (holdSeconds >= path.maxSeconds) {
            throw new BenchFailure("--max-seconds (" + path.maxSeconds + ") must exceed --hold-seconds ("
                    + holdSeconds + ") plus the time to open the connections", BenchFailure.USAGE);
        }
        FileDescriptors.requireFree(streams + 64, "hold " + streams + " connections");
        NettyTransport transport = NettyTransport.best();
        EventLoopGroup group = transport.newGroup(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        try (Watchdog watchdog = new Watchdog(path.maxSeconds)) {
            ConnectionRamp ramp = new ConnectionRamp(transport, group, path, streams, parallel, echoTimeoutMillis);
            long start = System.nanoTime();
            ramp.start();
            boolean settled = ramp.awaitSettled(watchdog.deadlineNanos() - System.nanoTime());
            double openSeconds = (System.nanoTime() - start) / 1e9;
            Histogram openNanos = ramp.openNanos();
            Report report = new Report("concurrency")
                    .put("target", path.target.toString())
                    .put("streams", streams)
                    .put("opened", ramp.live())
                    .put("open_seconds", Report.round(openSeconds, 3))
                    .put("opens_per_s", Report.round(ramp.live() / openSeconds, 1))
                    .put("open_p50_us", Report.micros(openNanos.getValueAtPercentile(50)))
                    .put("open_p99_us", Report.micros(openNanos.getValueAtPercentile(99)));
            if (!settled || ramp.live() < streams) {
                String why = !settled ? "timed out after " + path.maxSeconds + " s"
                        : Objects.requireNonNullElse(ramp.failureDescription(), "unknown failure");
                report.put("status", settled ? "failed" : "timeout").put("error", why)
                        .print(String.format(Locale.ROOT, "concurrency %s: opened %d of %d connections: %s",
                                path.target, ramp.live(), streams, why), System.out);
                throw new BenchFailure("opened " + ramp.live() + " of " + streams + " connections through "
                        + path.target + ": " + why, settled ? BenchFailure.FAILED : BenchFailure.TIMED_OUT);
            }

            System.out.printf(Locale.ROOT, "READY streams=%d pid=%d%n", streams, ProcessHandle.current().pid());
            System.out.flush();
            long holdEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds);
            Integer execExit = exec == null ? null : runExec(watchdog);
            long left = holdEnd - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, Math.max(0, watchdog.deadlineNanos() - System.nanoTime())));
            }
            double heldSeconds = (System.nanoTime() - start) / 1e9 - openSeconds;

            int liveAfter = ramp.probeAll(1, watchdog.deadlineNanos() - System.nanoTime());
            String status = liveAfter == streams ? "ok" : watchdog.expired() ? "timeout" : "failed";
            report.put("held_seconds", Report.round(heldSeconds, 1))
                    .put("live_after_hold", liveAfter)
                    .put("exec_exit", execExit)
                    .put("status", status)
                    .print(String.format(Locale.ROOT,
                            "concurrency %s: %d connections live in %.2f s (open p50=%.0fus p99=%.0fus),"
                                    + " held %.1f s, %d still live after [%s]",
                            path.target, streams, openSeconds, Report.micros(openNanos.getValueAtPercentile(50)),
                            Report.micros(openNanos.getValueAtPercentile(99)), heldSeconds, liveAfter, status),
                            System.out);
            return switch (status) {
                case "ok" -> 0;
                case "timeout" -> BenchFailure.TIMED_OUT;
                default -> BenchFailure.FAILED;
            };
        } finally {
            Future<?> closing = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            closing.await(30, TimeUnit.SECONDS);
        }
    }

    private Integer runExec(Watchdog watchdog) throws InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", exec).inheritIO();
        pb.environment().put("HOMEPORT_BENCH_STREAMS", Integer.toString(streams));
        pb.environment().put("HOMEPORT_BENCH_TARGET", path.target.toString());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw BenchFailure.io("starting --exec command", e);
        }
        long left = watchdog.deadlineNanos() - System.nanoTime();
        if (!process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
            process.destroy();
            System.err.println("warning: --exec command still running at --max-seconds; stopped it");
            process.waitFor(5, TimeUnit.SECONDS);
            return null;
        }
        return process.exitValue();
    }
}
