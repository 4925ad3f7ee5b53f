package dev.homeport.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14: the address a user typed into an app keeps working. {@code homeport tcp} without
 * {@code --remote-port}, as separate processes: the address printed is the same after the client is
 * killed with SIGKILL, after it stops cleanly, after the relay restarts, and after both restart.
 *
 * <p>The relay gives the lowest free port; a second client first takes the lowest, so ours gets the
 * next one, and then leaves. Without the remembered port, every restart below would get the lowest.
 */
@Timeout(300)
class StableAddressTest {
    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    private int base;
    private LocalService echo;

    @Test
    void thePrintedAddressSurvivesKillCleanStopRelayRestartAndBoth() throws Exception {
        base = FreePorts.block(4); // control, then three public ports
        echo = teardown.add(LocalService.echo(0));
        CliProcess relay = relay();

        CliProcess squatter = client("squatter", dir.resolve("squatter-state"));
        assertThat(portOf(squatter)).as("the lowest free port").isEqualTo(base + 1);
        CliProcess client = client("jupyter", dir.resolve("state"));
        String address = printedAddress(client);
        int port = URI.create(address).getPort();
        assertThat(port).isEqualTo(base + 2);
        assertThat(Files.readString(dir.resolve("state").resolve("ports")))
                .contains("127.0.0.1:" + base + " tcp jupyter " + port);
        squatter.stop();
        Thread.sleep(1_500); // past the relay's 1 s reconnect grace: the lowest port is free for anyone again
        assertThat(SecurityTest.echoThrough(port, "first")).isEqualTo("first");

        client.kill();
        client = client("jupyter", dir.resolve("state"));
        assertThat(printedAddress(client)).as("after SIGKILL of the client").isEqualTo(address);
        assertThat(SecurityTest.echoThrough(port, "after kill")).isEqualTo("after kill");

        client.stop(); // SIGTERM: GO_AWAY, then the JVM exits with 143
        Thread.sleep(1_500);
        client = client("jupyter", dir.resolve("state"));
        assertThat(printedAddress(client)).as("after a clean stop of the client").isEqualTo(address);

        relay.stop();
        relay = relay();
        CliProcess running = client;
        Await.until(CliProcess.START_TIMEOUT, "the running client back on the restarted relay", () -> {
            try {
                return SecurityTest.echoThrough(port, "after relay restart").equals("after relay restart");
            } catch (Exception notYet) {
                return false;
            }
        });
        assertThat(running.stdout()).as("no other address printed after the relay restarted")
                .filteredOn(l -> l.startsWith("tcp://")).containsOnly(address);

        client.stop(); // SIGTERM: GO_AWAY, then the JVM exits with 143
        relay.stop();
        relay = relay();
        client = client("jupyter", dir.resolve("state"));
        assertThat(printedAddress(client)).as("after both restarted").isEqualTo(address);
        assertThat(SecurityTest.echoThrough(port, "after both")).isEqualTo("after both");
    }

    private CliProcess relay() throws Exception {
        CliProcess relay = teardown.add(CliProcess.server(dir, "--control", "127.0.0.1:" + base, "--ports",
                (base + 1) + "-" + (base + 3), "--bind-address", "127.0.0.1", "--admin", "", "--shutdown-grace", "1s",
                "--reconnect-grace", "1s", "--state-dir", dir.resolve("relay-state").toString(),
                "--token", RelayHarness.TOKEN, "--insecure-plaintext"));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);
        return relay;
    }

    private CliProcess client(String name, Path state) throws Exception {
        return teardown.add(CliProcess.homeport(dir, "tcp", Integer.toString(echo.port()), "--name", name, "--server",
                "tcp://127.0.0.1:" + base, "--token", RelayHarness.TOKEN, "--insecure-plaintext", "--max-backoff", "500ms",
                "--state-dir", state.toString()));
    }

    private static String printedAddress(CliProcess client) {
        return client.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0);
    }

    private static int portOf(CliProcess client) {
        return URI.create(printedAddress(client)).getPort();
    }
}
