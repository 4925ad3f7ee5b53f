package dev.homeport.e2e;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --log-format json}: the relay (set by its YAML file) and the client (set by the flag), each in
 * its own process, write nothing on stderr but JSON objects, one per line, through the expected
 * troubles of a day: a public client that resets its connection, a local service that is down, and
 * the relay going away so that the client cannot reach it. None of those logs a stack trace.
 */
@Timeout(180)
class JsonLogsTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    @Test
    void everyLogLineOfRelayAndClientIsOneJsonObjectAndNoneCarriesAStackTrace() throws Exception {
        int base = FreePorts.block(3);
        Path relayFile = dir.resolve("homeport-server.yaml");
        Files.writeString(relayFile, """
                control: 127.0.0.1:%d
                ports: %d-%d
                bind_address: 127.0.0.1
                token: %s
                insecure_plaintext: true
                admin: ''
                shutdown_grace: 1s
                state_dir: %s
                log_format: json
                """.formatted(base, base + 1, base + 2, RelayHarness.TOKEN, dir.resolve("relay-state")));
        CliProcess relay = teardown.add(CliProcess.server(dir, "--config", relayFile.toString()));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);

        LocalService echo = teardown.add(LocalService.echo(0));
        CliProcess client = teardown.add(CliProcess.homeport(dir, "tcp", Integer.toString(echo.port()),
                "--server", "tcp://127.0.0.1:" + base, "--token", RelayHarness.TOKEN, "--insecure-plaintext",
                "--max-backoff", "500ms", "--state-dir", dir.resolve("state").toString(), "--log-format", "json"));
        int publicPort = URI.create(client.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0)).getPort();

        try (Socket s = connect(publicPort)) { // a normal exchange
            s.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
        try (Socket s = connect(publicPort)) { // a public client that goes away with a reset mid-stream
            s.getOutputStream().write("half a request".getBytes(StandardCharsets.UTF_8));
            s.setSoLinger(true, 0);
        }
        echo.close(); // the local service goes down
        try (Socket s = connect(publicPort)) {
            s.getInputStream().read();
        } catch (java.io.IOException reset) {
            // Refused by the client as the local service is down: what the test provokes.
        }
        client.awaitStderr(l -> l.contains("event=local_unreachable"), Duration.ofSeconds(15), "the local service down");

        int relayExit = relay.stop(); // the relay goes away: the client retries and cannot reach it
        client.awaitStderr(l -> l.contains("cannot reach relay"), Duration.ofSeconds(20), "the relay unreachable");
        client.stop();

        assertAllJson("relay", relay.stderr());
        assertAllJson("client", client.stderr());
        assertThat(String.join("\n", relay.stderr())).as("exit " + relayExit + " " + relay.describe()).contains("event=relay_started").contains("event=relay_stopped");
        assertThat(String.join("\n", client.stderr())).contains("event=connected").contains("event=tunnel_live")
                .contains("event=disconnected");
    }

    private static Socket connect(int port) throws Exception {
        Socket s = new Socket();
        s.setSoTimeout(10_000);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        return s;
    }

    private static void assertAllJson(String who, List<String> lines) {
        assertThat(lines).as(who + " stderr").isNotEmpty();
        for (String line : lines) {
            JsonNode event;
            try {
                event = JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError(who + " wrote a line that is not JSON: " + line, e);
            }
            assertThat(event.isObject()).as(who + ": %s", line).isTrue();
            assertThat(event.path("level").asText()).as(who + ": %s", line).isIn("INFO", "WARN", "ERROR", "DEBUG");
            assertThat(event.path("formattedMessage").asText()).as(who + ": %s", line).startsWith("event=");
            assertThat(event.path("throwable").isNull() || event.path("throwable").isMissingNode())
                    .as(who + " logged a stack trace: %s", line).isTrue();
        }
    }
}
