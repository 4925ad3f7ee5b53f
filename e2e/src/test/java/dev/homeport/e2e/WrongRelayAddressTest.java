package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiredPrograms;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code --server} that is not the relay's control port for the chosen transport, as a user gets it
 * wrong, with the built client in its own process against real servers on loopback: the client says
 * what it reached and which flag or address to use, and where retrying cannot help it exits non-zero
 * within seconds instead of retrying forever. A relay that is not up yet is retried with growing
 * waits and a log line only now and then.
 */
@Timeout(240)
class WrongRelayAddressTest {
    /** A generous bound on "within a few seconds", not a performance figure. */
    private static final Duration GIVES_UP_WITHIN = Duration.ofSeconds(15);
    /** Attempt 8 comes at most 12.7 s after the first; a bound, not a performance figure. */
    private static final Duration ATTEMPT_8_WITHIN = Duration.ofSeconds(40);

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    @Test
    void anHttpServerIsNamedAsSuchAndTheClientExits() throws Exception {
        int port = FreePorts.one();
        teardown.add(ExternalProcess.start("http.server", List.of(RequiredPrograms.require("python3", "python3").toString(), "-m", "http.server", Integer.toString(port),
                "--bind", "127.0.0.1", "--directory", dir.toString()), Map.of(), dir.resolve("http.log")));
        awaitListening(port);

        CliProcess client = teardown.add(client("127.0.0.1:" + port));
        assertExitsWithin(client, "127.0.0.1:" + port + " answered with HTTP, not TLS", "the relay's default is 7700");
    }

    @Test
    void theRelaysPublicHttpsPortIsNamedWithTheWebSocketAddressThatReachesTheRelayThroughIt() throws Exception {
        int base = FreePorts.block(4);
        TestCa.Issued cert = TestCa.create("wrong-address-ca", dir).issue("localhost");
        CliProcess relay = teardown.add(relay(base, "--https", "127.0.0.1:" + (base + 3), "--https-cert",
                cert.certificateFile().toString(), "--https-key", cert.keyFile().toString()));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);

        CliProcess client = teardown.add(client("localhost:" + (base + 3)));
        assertExitsWithin(client, "localhost:" + (base + 3) + " is an HTTPS server",
                "--server wss://localhost:" + (base + 3) + "/_homeport");
    }

    @Test
    void aTlsClientAtAPlaintextRelayIsToldAboutInsecurePlaintextAndExits() throws Exception {
        int base = FreePorts.block(3);
        CliProcess relay = teardown.add(relay(base, "--insecure-plaintext"));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);

        CliProcess client = teardown.add(client("127.0.0.1:" + base));
        assertExitsWithin(client, "answered with a plaintext Homeport frame, not TLS",
                "started with --insecure-plaintext", "--server tcp://127.0.0.1:" + base + " --insecure-plaintext");
    }

    @Test
    void aPlaintextClientAtATlsRelayIsToldToDropInsecurePlaintext() throws Exception {
        int base = FreePorts.block(3);
        CliProcess relay = teardown.add(relay(base));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);

        CliProcess client = teardown.add(client("tcp://127.0.0.1:" + base, "--insecure-plaintext"));
        // A relay that closes without a word could also be throttling this address, so the client keeps trying.
        client.awaitStderr(l -> l.contains("closed the connection without answering HELLO, as a relay serving TLS does")
                        && l.contains("connect with --server 127.0.0.1:" + base + " and no --insecure-plaintext"),
                GIVES_UP_WITHIN, "the TLS relay named with the flag to drop");
    }

    @Test
    void aRelayNotUpYetIsRetriedWithGrowingWaitsAndALogLineAtTheFirstSecondFourthAttempt() throws Exception {
        int closed = FreePorts.one();
        CliProcess client = teardown.add(CliProcess.homeport(dir, "tcp", "9", "--server", "127.0.0.1:" + closed,
                "--token", RelayHarness.TOKEN, "--state-dir", dir.resolve("client-state").toString(),
                "--known-relays", dir.resolve("known_relays").toString()));
        Pattern line = Pattern.compile("event=disconnected reason=\"cannot reach relay 127\\.0\\.0\\.1:" + closed
                + ": connection refused; nothing listens there yet[^\"]*\" attempts=(\\d+) retry_in_ms=(\\d+)");
        // Attempt 8 fails at most 12.7 s after the first (waits of at most 0.1+0.2+...+6.4 s); the bound leaves
        // room for a slow JVM start. Attempt 16 is at least 6.4 s further on, so stopping here sees lines 1, 2, 4, 8.
        client.awaitStderr(l -> line.matcher(l).find() && l.contains(" attempts=8 "), ATTEMPT_8_WITHIN, "the line for attempt 8");
        assertThat(client.stop()).isIn(0, 143);

        List<long[]> seen = new ArrayList<>();
        for (String l : client.stderr()) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                seen.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
        }
        assertThat(client.stderr()).as(client.describe()).noneMatch(l -> l.contains("finishConnect") || l.contains("error(-111)"));
        assertThat(seen).as("one line per group of attempts: " + client.describe()).hasSizeBetween(4, 5);
        for (int i = 0; i < seen.size(); i++) {
            assertThat(seen.get(i)[0]).as("line %d stands for attempt 2^%d", i, i).isEqualTo(1L << i);
            if (i > 0) {
                // Equal jitter: the wait before attempt 2n is at least the ceiling of attempt n, so waits never shrink.
                assertThat(seen.get(i)[1]).as("waits grow: " + client.describe()).isGreaterThanOrEqualTo(seen.get(i - 1)[1]);
            }
        }
        assertThat(seen.get(seen.size() - 1)[1]).as("the wait has grown to seconds").isGreaterThanOrEqualTo(1_000);
    }

    // ---- fixtures ----

    private void assertExitsWithin(CliProcess client, String... says) throws Exception {
        long start = System.nanoTime();
        Await.until(GIVES_UP_WITHIN, "the client exits", () -> !ProcessHandle.of(client.pid()).map(ProcessHandle::isAlive).orElse(false));
        assertThat(client.exitCode()).as(client.describe()).isEqualTo(1);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(GIVES_UP_WITHIN.toSeconds());
        String err = String.join("\n", client.stderr());
        for (String s : says) {
            assertThat(err).as(client.describe()).contains("homeport: ").contains(s);
        }
        assertThat(err).as("one give-up, not a retry loop").doesNotContain("event=disconnected");
        assertThat(err).doesNotContain("not an SSL/TLS record").doesNotContain("frame version");
    }

    private CliProcess client(String server, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("tcp", "9", "--server", server, "--token", RelayHarness.TOKEN,
                "--state-dir", dir.resolve("client-state").toString(), "--known-relays", dir.resolve("known_relays").toString()));
        args.addAll(List.of(more));
        return CliProcess.homeport(dir, args.toArray(String[]::new));
    }

    private CliProcess relay(int base, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--control", "127.0.0.1:" + base, "--ports", (base + 1) + "-" + (base + 2),
                "--bind-address", "127.0.0.1", "--admin", "", "--shutdown-grace", "1s", "--token", RelayHarness.TOKEN,
                "--state-dir", dir.resolve("relay-state").toString()));
        args.addAll(List.of(more));
        return CliProcess.server(dir, args.toArray(String[]::new));
    }

    private static void awaitListening(int port) {
        Await.until(Duration.ofSeconds(20), "python's http.server listening", () -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            } catch (Exception notYet) {
                return false;
            }
        });
    }
}
