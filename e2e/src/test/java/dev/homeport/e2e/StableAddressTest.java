package dev.homeport.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14: the address a user typed into an app keeps working. {@code homeport tcp} without
 * {@code --remote-port}, as separate processes: the address printed is the same after the client is
 * killed with SIGKILL, after it stops cleanly, after the relay restarts, and after both restart.
 *
 * <p>The relay gives the lowest free port; a second client first takes the lowest, so ours gets the
 * next one, and then leaves. Without the remembered port, every restart below would get the lowest.
 * The same for {@code homeport http} without {@code --hostname}: the relay makes up a name, and
 * without the remembered name every restart below would get another one.
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
        awaitRemembered(dir.resolve("state").resolve("ports"), "127.0.0.1:" + base + " tcp jupyter " + port);
        stopPastGrace(relay, squatter, "squatter"); // the lowest port is free for anyone again
        assertThat(SecurityTest.echoThrough(port, "first")).isEqualTo("first");

        client.kill();
        client = client("jupyter", dir.resolve("state"));
        assertThat(printedAddress(client)).as("after SIGKILL of the client").isEqualTo(address);
        assertThat(SecurityTest.echoThrough(port, "after kill")).isEqualTo("after kill");

        stopPastGrace(relay, client, "jupyter"); // SIGTERM: GO_AWAY, then the JVM exits with 143
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

    @Test
    void aPortReservedInTheTokensFileIsThatTokensAloneEvenWhileItsClientIsAway() throws Exception {
        base = FreePorts.block(4);
        echo = teardown.add(LocalService.echo(0));
        Path tokens = dir.resolve("tokens");
        int reserved = base + 3;
        String ipad = addToken("ipad", "--ports", (base + 1) + "-" + (base + 3), "--reserve-port", Integer.toString(reserved));
        String other = addToken("other");
        assertThat(Files.readString(tokens)).contains(" reserve=" + reserved + " ");
        assertThat(addTokenFails("copycat", "--reserve-port", Integer.toString(reserved)))
                .contains("port " + reserved + " is already reserved for token 'ipad'");
        CliProcess relay = relay("--tokens", tokens.toString());

        CliProcess thief = client("thief", dir.resolve("thief-state"), other, "--remote-port", Integer.toString(reserved));
        assertThat(thief.exitCode()).isNotZero();
        assertThat(thief.stderr()).anyMatch(l -> l.contains("port " + reserved + " is reserved for token ipad"));

        CliProcess device = client("jupyter", dir.resolve("ipad-state"), ipad);
        assertThat(portOf(device)).as("its reserved port, not the lowest free one").isEqualTo(reserved);
        assertThat(SecurityTest.echoThrough(reserved, "mine")).isEqualTo("mine");
        stopPastGrace(relay, device, "jupyter"); // only the reservation keeps the port now

        assertThat(portOf(client("a", dir.resolve("a-state"), other))).isEqualTo(base + 1);
        assertThat(portOf(client("b", dir.resolve("b-state"), other))).isEqualTo(base + 2);
        CliProcess third = client("c", dir.resolve("c-state"), other);
        assertThat(third.exitCode()).as("the reserved port is never handed to another token").isNotZero();
        assertThat(third.stderr()).anyMatch(l -> l.contains("no free public port left"));

        device = client("jupyter", dir.resolve("fresh-ipad-state"), ipad);
        assertThat(portOf(device)).as("a client of the token with no memory of its own gets it back").isEqualTo(reserved);
    }

    @Test
    void thePrintedHostNameSurvivesKillCleanStopRelayRestartAndBoth() throws Exception {
        base = FreePorts.block(5); // control, three public ports, the public HTTP port
        HttpEchoService web = teardown.add(HttpEchoService.start("notebook"));
        CliProcess relay = relay("--token", RelayHarness.TOKEN);

        CliProcess client = httpClient("jupyter", dir.resolve("state"), RelayHarness.TOKEN, web.port());
        String url = printedUrl(client);
        String host = URI.create(url).getHost();
        assertThat(url).matches("http://[a-z][a-z0-9]{9}\\.example\\.test:" + (base + 4));
        awaitRemembered(dir.resolve("state").resolve("hosts"), "127.0.0.1:" + base + " http jupyter " + host);
        assertThat(served(host)).contains("service=notebook");

        client.kill();
        client = httpClient("jupyter", dir.resolve("state"), RelayHarness.TOKEN, web.port());
        assertThat(printedUrl(client)).as("after SIGKILL of the client").isEqualTo(url);
        assertThat(served(host)).contains("service=notebook");

        stopPastGrace(relay, client, "jupyter"); // only the remembered name brings it back
        client = httpClient("jupyter", dir.resolve("state"), RelayHarness.TOKEN, web.port());
        assertThat(printedUrl(client)).as("after a clean stop of the client").isEqualTo(url);

        relay.stop();
        relay = relay("--token", RelayHarness.TOKEN);
        CliProcess running = client;
        Await.until(CliProcess.START_TIMEOUT, "the running client back on the restarted relay", () -> {
            try {
                return served(host).contains("service=notebook");
            } catch (Exception notYet) {
                return false;
            }
        });
        assertThat(running.stdout()).as("no other URL printed after the relay restarted")
                .filteredOn(l -> l.startsWith("http://")).containsOnly(url);

        client.stop();
        relay.stop();
        relay("--token", RelayHarness.TOKEN);
        client = httpClient("jupyter", dir.resolve("state"), RelayHarness.TOKEN, web.port());
        assertThat(printedUrl(client)).as("after both restarted").isEqualTo(url);
        assertThat(served(host)).contains("service=notebook");

        CliProcess forgetful = httpClient("other", dir.resolve("other-state"), RelayHarness.TOKEN, web.port());
        assertThat(printedUrl(forgetful)).as("a tunnel with no memory gets a name of its own").isNotEqualTo(url);
    }

    @Test
    void aHostReservedInTheTokensFileIsThatTokensAloneAndItsClientsDefault() throws Exception {
        base = FreePorts.block(5);
        HttpEchoService web = teardown.add(HttpEchoService.start("ipad-notebook"));
        Path tokens = dir.resolve("tokens");
        String ipad = addToken("ipad", "--reserve-host", "ipad.example.test");
        String other = addToken("other", "--hosts", "*.example.test");
        assertThat(Files.readString(tokens)).contains(" reserve-host=ipad.example.test ");
        assertThat(addTokenFails("copycat", "--reserve-host", "ipad.example.test"))
                .contains("host ipad.example.test is already reserved for token 'ipad'");
        relay("--tokens", tokens.toString());

        CliProcess thief = httpClient("thief", dir.resolve("thief-state"), other, web.port(), "--hostname", "ipad");
        assertThat(thief.exitCode()).isNotZero();
        assertThat(thief.stderr()).anyMatch(l -> l.contains("host ipad.example.test is reserved for token ipad"));

        CliProcess device = httpClient("jupyter", dir.resolve("ipad-state"), ipad, web.port());
        assertThat(printedUrl(device)).as("its reserved name, though it may bind no other").isEqualTo(
                "http://ipad.example.test:" + (base + 4));
        assertThat(served("ipad.example.test")).contains("service=ipad-notebook");
        device.kill();
        device = httpClient("jupyter", dir.resolve("fresh-ipad-state"), ipad, web.port());
        assertThat(printedUrl(device)).as("a client of the token with no memory of its own gets it back")
                .isEqualTo("http://ipad.example.test:" + (base + 4));
    }

    /**
     * Stops the client and waits until the relay's 1 s reconnect grace for its tunnel has run out, as the
     * relay's log says, so that what the next client gets does not come from the grace.
     */
    private static void stopPastGrace(CliProcess relay, CliProcess client, String tunnel) throws InterruptedException {
        long before = releases(relay, tunnel);
        client.stop();
        Await.until(java.time.Duration.ofSeconds(20), "the relay releases tunnel " + tunnel + " after its reconnect grace",
                () -> releases(relay, tunnel) > before);
    }

    private static long releases(CliProcess relay, String tunnel) {
        return relay.stderr().stream().filter(l -> l.contains("event=tunnel_released tunnel=" + tunnel + " ")).count();
    }

    private CliProcess httpClient(String name, Path state, String token, int localPort, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("http", Integer.toString(localPort), "--name", name, "--server",
                "tcp://127.0.0.1:" + base, "--token", token, "--insecure-plaintext", "--max-backoff", "500ms",
                "--no-inspect", "--state-dir", state.toString()));
        args.addAll(List.of(more));
        return teardown.add(CliProcess.homeport(dir, args.toArray(String[]::new)));
    }

    private static String printedUrl(CliProcess client) {
        return client.awaitStdout(1, l -> l.startsWith("http://"), CliProcess.START_TIMEOUT).get(0);
    }

    /** One request for {@code host} on the relay's public HTTP port: the body of the answer. */
    private String served(String host) throws Exception {
        try (RawHttp http = new RawHttp(new java.net.InetSocketAddress("127.0.0.1", base + 4))) {
            RawHttp.Response response = http.send(RawHttp.get(host, "/", "Connection: close")).read();
            if (response.status() != 200) { // an exception, not an assertion: a caller may wait for the tunnel
                throw new IllegalStateException("status " + response.status() + " for " + host + ": " + response.body());
            }
            return response.body();
        }
    }

    private String addToken(String name, String... rights) throws Exception {
        List<String> args = new ArrayList<>(List.of("token", "add", name, "--tokens", dir.resolve("tokens").toString()));
        args.addAll(List.of(rights));
        CliProcess add = teardown.add(CliProcess.server(dir, args.toArray(String[]::new)));
        assertThat(add.exitCode()).as(add.describe()).isZero();
        return add.stdout().get(0).trim();
    }

    private String addTokenFails(String name, String... rights) throws Exception {
        List<String> args = new ArrayList<>(List.of("token", "add", name, "--tokens", dir.resolve("tokens").toString()));
        args.addAll(List.of(rights));
        CliProcess add = teardown.add(CliProcess.server(dir, args.toArray(String[]::new)));
        assertThat(add.exitCode()).as(add.describe()).isNotZero();
        return String.join("\n", add.stderr());
    }

    private CliProcess relay() throws Exception {
        return relay("--token", RelayHarness.TOKEN);
    }

    private CliProcess relay(String... tokens) throws Exception {
        List<String> args = new ArrayList<>(List.of("--control", "127.0.0.1:" + base, "--ports",
                (base + 1) + "-" + (base + 3), "--bind-address", "127.0.0.1", "--admin", "", "--shutdown-grace", "1s",
                "--reconnect-grace", "1s", "--state-dir", dir.resolve("relay-state").toString(), "--insecure-plaintext",
                "--http", "127.0.0.1:" + (base + 4), "--domain", "example.test"));
        args.addAll(List.of(tokens));
        CliProcess relay = teardown.add(CliProcess.server(dir, args.toArray(String[]::new)));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);
        return relay;
    }

    private CliProcess client(String name, Path state) throws Exception {
        return client(name, state, RelayHarness.TOKEN);
    }

    private CliProcess client(String name, Path state, String token, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("tcp", Integer.toString(echo.port()), "--name", name, "--server",
                "tcp://127.0.0.1:" + base, "--token", token, "--insecure-plaintext", "--max-backoff", "500ms",
                "--state-dir", state.toString()));
        args.addAll(List.of(more));
        return teardown.add(CliProcess.homeport(dir, args.toArray(String[]::new)));
    }

    private static String printedAddress(CliProcess client) {
        return client.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0);
    }

    private static int portOf(CliProcess client) {
        return URI.create(printedAddress(client)).getPort();
    }

    /** The client writes its memory off the event loop after printing the address, so the line may come a moment later. */
    private static void awaitRemembered(Path file, String line) {
        Await.until(java.time.Duration.ofSeconds(10), "the client remembers " + line + " in " + file, () -> {
            try {
                return Files.readString(file).contains(line);
            } catch (java.io.IOException notYet) {
                return false;
            }
        });
    }
}
