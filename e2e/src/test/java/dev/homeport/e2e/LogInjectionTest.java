package dev.homeport.e2e;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Bind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that writes line breaks, quotes and terminal escapes into every string the relay logs (its
 * agent, a tunnel's name and host name) cannot forge a log line of the relay in its own process, in
 * either format: each string stays inside its one field, escaped.
 */
@Timeout(180)
class LogInjectionTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Ends the line, starts a forged event, and tries to close a quoted value and clear the screen. */
    private static final String FORGED = "x\" forged=1\nevent=forged_line principal=admin\r\u001b[2J";

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    @Test
    void theKeyValueFormatKeepsEveryClientStringInItsFieldEscaped() throws Exception {
        CliProcess relay = relayAttackedByAClient("text");

        List<String> lines = relay.stderr();
        assertThat(lines).noneMatch(l -> l.startsWith("event=forged_line") || l.contains("\u001b") || l.contains("\r"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("event=client_connected")
                .endsWith("agent=\"x\\\" forged=1\\nevent=forged_line principal=admin\\r\\u001b[2J\""));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("event=tunnel_bound")
                .contains("tunnel=\"x\\\" forged=1\\nevent=forged_line principal=admin\\r\\u001b[2J\" port="));
    }

    @Test
    void theJsonFormatIsOneObjectPerLineWithTheSameEscapedFields() throws Exception {
        CliProcess relay = relayAttackedByAClient("json");

        List<String> lines = relay.stderr();
        for (String line : lines) {
            assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
        }
        List<String> messages = lines.stream().map(l -> {
            try {
                JsonNode n = JSON.readTree(l);
                return n.path("formattedMessage").asText();
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertThat(messages).noneMatch(m -> m.contains("\n") || m.contains("\u001b"));
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("event=client_connected")
                .endsWith("agent=\"x\\\" forged=1\\nevent=forged_line principal=admin\\r\\u001b[2J\""));
    }

    private CliProcess relayAttackedByAClient(String format) throws Exception {
        int base = FreePorts.block(3);
        CliProcess relay = teardown.add(CliProcess.server(dir, "--control", "127.0.0.1:" + base, "--ports",
                (base + 1) + "-" + (base + 2), "--bind-address", "127.0.0.1", "--admin", "", "--shutdown-grace", "1s",
                "--state-dir", dir.resolve("relay-state-" + format).toString(), "--token", RelayHarness.TOKEN,
                "--log-format", format));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);

        InetSocketAddress control = new InetSocketAddress("127.0.0.1", base);
        try (RawSession hostile = RawSession.authenticate(RawSession.connectTls(control), RelayHarness.TOKEN, 1 << 20, FORGED)) {
            hostile.sendBind(new Bind(1, Bind.KIND_TCP, 0, FORGED));
            assertThat(hostile.awaitBindAnswer().type()).isEqualTo(FrameType.BIND_OK);
            hostile.sendBind(new Bind(2, Bind.KIND_HTTP, 0, FORGED, FORGED));
            assertThat(hostile.awaitBindAnswer().type()).as("no HTTP port: refused, and logged").isEqualTo(FrameType.BIND_REFUSED);
        }
        relay.awaitStderr(l -> l.contains("event=client_disconnected"), Duration.ofSeconds(10), "the hostile client's end logged");
        return relay;
    }
}
