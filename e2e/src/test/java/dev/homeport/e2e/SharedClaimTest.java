package dev.homeport.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14: two clients of one token ask for the same public port (or host name). The one that holds it keeps it;
 * the other is told that another client of the token holds it and exits non-zero, without retrying,
 * so the two never take the port from each other in turn. Real processes: the relay and both clients
 * are the built CLIs. The services behind them answer with their own names, so each answer shows
 * which client served it.
 */
@Timeout(240)
class SharedClaimTest {
    /** How long the test watches for flapping; each look is one request, so the watch is bounded in count too. */
    private static final int LOOKS = 10;
    private static final Duration BETWEEN_LOOKS = Duration.ofSeconds(1);

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    private int base;

    @Test
    void theSecondClientOfATokenForAHeldPortSaysSoAndExitsAndTheFirstKeepsServingWithoutFlapping() throws Exception {
        base = FreePorts.block(3); // control, two public ports
        HttpEchoService first = teardown.add(HttpEchoService.start("first"));
        HttpEchoService second = teardown.add(HttpEchoService.start("second"));
        CliProcess relay = relay();
        int port = base + 2; // not the lowest: a port the relay would never hand out by chance

        CliProcess holder = client("one", dir.resolve("one-state"), first.port(), "--remote-port", Integer.toString(port));
        assertThat(URI.create(printedAddress(holder)).getPort()).isEqualTo(port);
        assertThat(servedBy(port)).isEqualTo("first");

        CliProcess loser = client("two", dir.resolve("two-state"), second.port(), "--remote-port", Integer.toString(port));
        assertThat(loser.exitCode()).as(loser.describe()).isNotZero();
        assertThat(loser.stderr()).as("the loser names the reason and what to do")
                .anyMatch(l -> l.contains("port " + port + " is held by another client of token") && l.contains("--pool"));
        assertThat(loser.stdout()).as("the loser never printed an address").noneMatch(l -> l.startsWith("tcp://"));
        assertThat(loser.stderr()).as("no retry loop").noneMatch(l -> l.contains("event=disconnected"));

        for (int look = 0; look < LOOKS; look++) {
            assertThat(servedBy(port)).as("look %d: the holder still serves the port", look).isEqualTo("first");
            Thread.sleep(BETWEEN_LOOKS.toMillis());
        }
        assertThat(holder.stdout()).filteredOn(l -> l.startsWith("tcp://")).hasSize(1);
        assertThat(holder.stderr()).as("the holder never lost its session").noneMatch(l -> l.contains("event=disconnected"));
        assertThat(relay.stderr()).anyMatch(l -> l.contains("event=tunnel_bound"));
        assertThat(relay.stderr()).as("the port never moved").noneMatch(l -> l.contains("event=tunnel_reclaimed"));
        assertThat(second.connections.get()).as("nothing reached the loser's service").isZero();

        holder.stop(); // clean stop: GO_AWAY; the port stays held for the token for the 1 s grace, then it is free
        CliProcess next = client("two", dir.resolve("two-state"), second.port(), "--remote-port", Integer.toString(port));
        assertThat(URI.create(printedAddress(next)).getPort()).as("once the holder is gone the port can be taken").isEqualTo(port);
        assertThat(servedBy(port)).isEqualTo("second");
    }

    @Test
    void theSecondClientOfATokenForAHeldHostNameSaysSoAndExitsAndTheFirstKeepsServing() throws Exception {
        base = FreePorts.block(4); // control, two public ports, the public HTTP port
        int http = base + 3;
        HttpEchoService first = teardown.add(HttpEchoService.start("first"));
        HttpEchoService second = teardown.add(HttpEchoService.start("second"));
        relay("--http", "127.0.0.1:" + http, "--domain", "example.test");

        CliProcess holder = httpClient("one", first.port());
        assertThat(holder.awaitStdout(1, l -> l.startsWith("http://"), CliProcess.START_TIMEOUT).get(0))
                .isEqualTo("http://lab.example.test:" + http);
        CliProcess loser = httpClient("two", second.port());
        assertThat(loser.exitCode()).as(loser.describe()).isNotZero();
        assertThat(loser.stderr()).anyMatch(l -> l.contains("host lab.example.test is held by another client of token"));

        for (int look = 0; look < LOOKS; look++) {
            assertThat(hostServedBy(http)).as("look %d: the holder still serves the name", look).isEqualTo("first");
            Thread.sleep(BETWEEN_LOOKS.toMillis() / 2);
        }
        assertThat(holder.stderr()).noneMatch(l -> l.contains("event=disconnected"));
        assertThat(second.connections.get()).isZero();
    }

    private CliProcess httpClient(String name, int localPort) throws Exception {
        return teardown.add(CliProcess.homeport(dir, "http", Integer.toString(localPort), "--name", "lab", "--hostname", "lab",
                "--no-inspect", "--server", "tcp://127.0.0.1:" + base, "--token", RelayHarness.TOKEN, "--insecure-plaintext",
                "--max-backoff", "500ms", "--state-dir", dir.resolve(name + "-state").toString()));
    }

    private String hostServedBy(int httpPort) throws Exception {
        try (RawHttp http = new RawHttp(new InetSocketAddress("127.0.0.1", httpPort))) {
            String body = http.send(RawHttp.get("lab.example.test", "/", "Connection: close")).read().body();
            return body.lines().filter(l -> l.startsWith("service=")).findFirst().orElse("").substring("service=".length());
        }
    }

    private String servedBy(int port) throws Exception {
        try (RawHttp http = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
            String body = http.send(RawHttp.get("localhost", "/", "Connection: close")).read().body();
            return body.lines().filter(l -> l.startsWith("service=")).findFirst().orElse("").substring("service=".length());
        }
    }

    private CliProcess relay(String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--control", "127.0.0.1:" + base, "--ports",
                (base + 1) + "-" + (base + 2), "--bind-address", "127.0.0.1", "--admin", "", "--shutdown-grace", "1s",
                "--reconnect-grace", "1s", "--state-dir", dir.resolve("relay-state").toString(), "--insecure-plaintext",
                "--token", RelayHarness.TOKEN));
        args.addAll(List.of(more));
        CliProcess relay = teardown.add(CliProcess.server(dir, args.toArray(String[]::new)));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);
        return relay;
    }

    private CliProcess client(String name, Path state, int localPort, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("tcp", Integer.toString(localPort), "--name", name, "--server",
                "tcp://127.0.0.1:" + base, "--token", RelayHarness.TOKEN, "--insecure-plaintext", "--max-backoff", "500ms",
                "--state-dir", state.toString()));
        args.addAll(List.of(more));
        return teardown.add(CliProcess.homeport(dir, args.toArray(String[]::new)));
    }

    private static String printedAddress(CliProcess client) {
        return client.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0);
    }
}
