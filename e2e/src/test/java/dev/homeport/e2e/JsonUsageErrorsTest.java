package dev.homeport.e2e;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In JSON log mode a command line that does not parse, a setting that does not validate and a config file mistake are
 * JSON events on stderr like every other line, with the usage exit code, for both built commands.
 */
@Timeout(120)
class JsonUsageErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    @Test
    void anUnknownOptionOfTheClientIsOneJsonEventAndExitCode2() throws Exception {
        CliProcess client = teardown.add(CliProcess.homeport(dir, "--log-format", "json", "tcp", "8888", "--bogus",
                "--server", "127.0.0.1:7700", "--token", "t"));
        JsonNode event = onlyJsonLine(client);
        assertThat(event.get("level").asText()).isEqualTo("ERROR");
        assertThat(event.get("formattedMessage").asText()).contains("event=usage_error command=tcp")
                .contains("Unknown option: '--bogus'").contains("help=\"homeport tcp --help\"");
    }

    @Test
    void anUnknownOptionOfTheRelayIsOneJsonEventAndExitCode2() throws Exception {
        CliProcess relay = teardown.add(CliProcess.server(dir, "--bogus", "--log-format=json"));
        assertThat(onlyJsonLine(relay).get("formattedMessage").asText()).contains("event=usage_error command=homeport-server")
                .contains("Unknown option: '--bogus'");
    }

    @Test
    void anInvalidSettingOfTheRelayIsOneJsonEventAndExitCode2() throws Exception {
        CliProcess relay = teardown.add(CliProcess.server(dir, "--log-format", "json", "--ports", "x-y", "--token", "t",
                "--state-dir", dir.resolve("state").toString()));
        assertThat(onlyJsonLine(relay).get("formattedMessage").asText()).contains("event=usage_error")
                .contains("invalid setting: port range must be LO-HI");
    }

    @Test
    void aConfigFileMistakeIsOneJsonEventAndExitCode2() throws Exception {
        Path file = dir.resolve("homeport.yaml");
        Files.writeString(file, "no_such_key: 1\n");
        CliProcess client = teardown.add(CliProcess.homeport(dir, "--log-format", "json", "start", "--config", file.toString()));
        assertThat(onlyJsonLine(client).get("formattedMessage").asText()).contains("event=config_error")
                .contains(file.toString()).contains("no_such_key");
    }

    private static JsonNode onlyJsonLine(CliProcess process) throws Exception {
        assertThat(process.exitCode()).as(process.describe()).isEqualTo(2);
        List<String> err = process.stderr();
        assertThat(err).as(process.describe()).hasSize(1);
        return JSON.readTree(err.get(0));
    }
}
