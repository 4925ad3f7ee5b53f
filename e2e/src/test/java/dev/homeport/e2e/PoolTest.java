package dev.homeport.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, on one relay: clients of one token started with {@code --pool} serve one public port
 * together. New public connections go to the live members in turn; SIGKILL of one member loses only
 * its own connections: new ones all go to the survivor, and a connection the survivor serves goes on.
 * A client without {@code --pool} cannot join the pool, and a pool takes at most
 * {@code --max-pool-members}. Real processes; each member's service answers with its own name.
 */
@Timeout(240)
class PoolTest {
    /** Public connections opened in each round: enough that round robin over two members shows both. */
    private static final int CONNECTIONS = 8;

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    private int base;

    @Test
    void twoPoolMembersShareAPortAndAfterOneIsKilledEveryNewConnectionGoesToTheSurvivor() throws Exception {
        base = FreePorts.block(2); // control, one public port
        int port = base + 1;
        HttpEchoService serviceA = teardown.add(HttpEchoService.start("a"));
        HttpEchoService serviceB = teardown.add(HttpEchoService.start("b"));
        CliProcess relay = relay("--max-pool-members", "2");

        CliProcess memberA = client("a", serviceA.port(), "--pool");
        assertThat(URI.create(printedAddress(memberA)).getPort()).isEqualTo(port);
        CliProcess memberB = client("b", serviceB.port(), "--pool");
        assertThat(URI.create(printedAddress(memberB)).getPort()).as("the same port, shared").isEqualTo(port);

        Set<String> served = new HashSet<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            served.add(servedBy(port));
        }
        assertThat(served).as("new connections land on both members").containsExactlyInAnyOrder("a", "b");

        CliProcess alone = client("alone", serviceB.port());
        assertThat(alone.exitCode()).isNotZero();
        assertThat(alone.stderr()).anyMatch(l -> l.contains("served by a pool of 2 clients") && l.contains("without --pool cannot join"));
        CliProcess third = client("third", serviceB.port(), "--pool");
        assertThat(third.exitCode()).isNotZero();
        assertThat(third.stderr()).anyMatch(l -> l.contains("already has 2 members") && l.contains("--max-pool-members"));

        // A connection the survivor serves, kept open (keep-alive) across the other member's death.
        RawHttp onB = null;
        List<RawHttp> others = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS && onB == null; i++) {
            RawHttp http = teardown.add(new RawHttp(new InetSocketAddress("127.0.0.1", port)));
            if (serviceOf(http.send(RawHttp.get("localhost", "/before")).read().body()).equals("b")) {
                onB = http;
            } else {
                others.add(http);
            }
        }
        assertThat(onB).as("one of %d connections on member b", CONNECTIONS).isNotNull();

        memberA.kill();
        relay.awaitStderr(l -> l.contains("event=pool_left"), CliProcess.START_TIMEOUT, "the relay to see member a gone");
        for (RawHttp cut : others) {
            assertThat(cut.closedWithin(java.time.Duration.ofSeconds(10))).as("a's own connections end").isTrue();
        }

        for (int i = 0; i < CONNECTIONS; i++) {
            assertThat(servedBy(port)).as("new connection %d after a's death", i).isEqualTo("b");
        }
        RawHttp.Response again = onB.send(RawHttp.get("localhost", "/after")).read();
        assertThat(again.status()).isEqualTo(200);
        assertThat(serviceOf(again.body())).as("the survivor's open connection goes on").isEqualTo("b");
        assertThat(again.body()).contains("GET /after");
        assertThat(memberB.stderr()).as("the survivor never lost its session").noneMatch(l -> l.contains("event=disconnected"));
    }

    @Test
    void twoPoolMembersShareAHostNameOnTheHttpPortAndTheSurvivorTakesItAll() throws Exception {
        base = FreePorts.block(3); // control, one public TCP port, the public HTTP port
        int http = base + 2;
        HttpEchoService serviceA = teardown.add(HttpEchoService.start("a"));
        HttpEchoService serviceB = teardown.add(HttpEchoService.start("b"));
        CliProcess relay = relay("--http", "127.0.0.1:" + http, "--domain", "example.test");
        CliProcess memberA = httpMember("a", serviceA.port());
        CliProcess memberB = httpMember("b", serviceB.port());
        String url = "http://api.example.test:" + http;
        assertThat(printedUrl(memberA)).isEqualTo(url);
        assertThat(printedUrl(memberB)).isEqualTo(url);

        Set<String> served = new HashSet<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            served.add(hostServedBy(http));
        }
        assertThat(served).as("new HTTP connections land on both members").containsExactlyInAnyOrder("a", "b");

        memberB.kill();
        relay.awaitStderr(l -> l.contains("event=pool_left"), CliProcess.START_TIMEOUT, "the relay to see member b gone");
        for (int i = 0; i < CONNECTIONS; i++) {
            assertThat(hostServedBy(http)).as("new connection %d after b's death", i).isEqualTo("a");
        }
    }

    private CliProcess httpMember(String name, int localPort) throws Exception {
        return teardown.add(CliProcess.homeport(dir, "http", Integer.toString(localPort), "--name", "api", "--hostname", "api",
                "--pool", "--no-inspect", "--server", "tcp://127.0.0.1:" + base, "--token", RelayHarness.TOKEN,
                "--insecure-plaintext", "--max-backoff", "500ms", "--state-dir", dir.resolve(name + "-state").toString()));
    }

    private static String printedUrl(CliProcess client) {
        return client.awaitStdout(1, l -> l.startsWith("http://"), CliProcess.START_TIMEOUT).get(0);
    }

    private String hostServedBy(int httpPort) throws Exception {
        try (RawHttp http = new RawHttp(new InetSocketAddress("127.0.0.1", httpPort))) {
            RawHttp.Response response = http.send(RawHttp.get("api.example.test", "/", "Connection: close")).read();
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            return serviceOf(response.body());
        }
    }

    private String servedBy(int port) throws Exception {
        try (RawHttp http = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
            return serviceOf(http.send(RawHttp.get("localhost", "/", "Connection: close")).read().body());
        }
    }

    private static String serviceOf(String body) {
        return body.lines().filter(l -> l.startsWith("service=")).findFirst().orElse("service=").substring("service=".length());
    }

    private CliProcess relay(String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--control", "127.0.0.1:" + base, "--ports", (base + 1) + "-" + (base + 1),
                "--bind-address", "127.0.0.1", "--admin", "", "--shutdown-grace", "1s", "--reconnect-grace", "1s",
                "--state-dir", dir.resolve("relay-state").toString(), "--insecure-plaintext", "--token", RelayHarness.TOKEN));
        args.addAll(List.of(more));
        CliProcess relay = teardown.add(CliProcess.server(dir, args.toArray(String[]::new)));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);
        return relay;
    }

    private CliProcess client(String name, int localPort, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("tcp", Integer.toString(localPort), "--name", name, "--server",
                "tcp://127.0.0.1:" + base, "--token", RelayHarness.TOKEN, "--insecure-plaintext", "--max-backoff", "500ms",
                "--remote-port", Integer.toString(base + 1), "--state-dir", dir.resolve(name + "-state").toString()));
        args.addAll(List.of(more));
        return teardown.add(CliProcess.homeport(dir, args.toArray(String[]::new)));
    }

    private static String printedAddress(CliProcess client) {
        return client.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0);
    }
}
