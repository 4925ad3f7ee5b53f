package dev.homeport.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every subcommand, small, against an in-process far end on loopback; each must report status ok. */
class LoadToolOverLoopbackTest {

    private static FarEndServer server;
    private static String target;

    @BeforeAll
    static void startFarEnd() {
        server = FarEndServer.start("127.0.0.1", 0, 1);
        target = "127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stopFarEnd() {
        server.close();
    }

    /** Runs the CLI, returns its JSON line; fails on a non-zero exit. */
    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = LoadTool.commandLine().execute(args);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).as("exit code of %s, output:%n%s", Arrays.toString(args), out).isZero();
        return out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void uploadIsConfirmedByTheSinkForEveryStream() {
        String json = run("throughput", "--target", target, "--streams", "3", "--bytes", "4m", "--direction", "up");
        assertThat(json).contains("\"status\":\"ok\"").contains("\"total_bytes\":12582912");
    }

    @Test
    void downloadReceivesExactlyWhatWasAskedFor() {
        String json = run("throughput", "--target", target, "--bytes", "5000000", "--direction", "down");
        assertThat(json).contains("\"status\":\"ok\"").contains("\"total_bytes\":5000000");
    }

    @Test
    void latencyRecordsEveryMeasuredRoundTrip() {
        String json = run("latency", "--target", target, "--messages", "500", "--warmup", "50");
        assertThat(json).contains("\"count\":500").contains("\"status\":\"ok\"");
    }

    @Test
    void fairnessMeasuresLatencyIdleAndUnderABulkUpload() {
        String json = run("fairness", "--target", target, "--messages", "200", "--warmup", "20", "--settle-ms", "100");
        assertThat(json).contains("\"idle_count\":200").contains("\"count\":200").contains("\"status\":\"ok\"");
    }

    @Test
    void fairnessMeasuresLatencyBehindABulkDownload() {
        String json = run("fairness", "--target", target, "--messages", "200", "--warmup", "20", "--settle-ms", "100",
                "--bulk-direction", "down");
        assertThat(json).contains("\"bulk_direction\":\"down\"").contains("\"count\":200").contains("\"status\":\"ok\"");
        assertThat(json).doesNotContain("\"bulk_mb_per_s\":0.0,");
    }

    @Test
    void concurrencyHoldsEveryConnectionLiveAndRunsTheReadyCommand() {
        String json = run("concurrency", "--target", target, "--streams", "300", "--hold-seconds", "0",
                "--exec", "test \"$HOMEPORT_BENCH_STREAMS\" = 300", "--max-seconds", "30");
        assertThat(json).contains("\"live_after_hold\":300").contains("\"exec_exit\":0").contains("\"status\":\"ok\"");
    }

    @Test
    void aRefusedTargetIsOneClearErrorNotAStackTrace() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            var cli = LoadTool.commandLine();
            cli.setErr(new java.io.PrintWriter(System.err, true));
            exit = cli.execute("latency", "--target", "127.0.0.1:1", "--messages", "1");
        } finally {
            System.setErr(originalErr);
        }
        assertThat(exit).isEqualTo(BenchFailure.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: connecting to 127.0.0.1:1:").doesNotContain("\tat ");
    }
}
