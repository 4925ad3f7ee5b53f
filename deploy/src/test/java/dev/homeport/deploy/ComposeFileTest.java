package dev.homeport.deploy;

import dev.homeport.testsupport.programs.RequiresProgram;
import dev.homeport.server.cli.HomeportServerCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * deploy/compose.yaml, read twice: by Debian's docker-compose (1.29, `config` validates the file
 * against the Compose schema and resolves the env file without any engine; the `docker compose`
 * plugin is not on this machine), and parsed as YAML here for what the relay needs. It must publish
 * the relay's ports, keep the admin port on the host's loopback, keep state on a volume at the
 * image's state directory, read the token from an env file, and use only HOMEPORT_* names the relay
 * knows. The docker-compose part needs Debian's docker-compose (in .ci/run); without it that test alone is
 * skipped (and fails on CI, see RequiredPrograms).
 */
class ComposeFileTest {
    private static final Pattern ENV_NAME = Pattern.compile("HOMEPORT_[A-Z_]+");

    private final Map<String, Object> compose = load("compose.yaml");
    private final Map<String, Object> relay = map(map(compose.get("services")).get("relay"));

    @TempDir
    Path project;

    @Test
    @RequiresProgram(value = "docker-compose", debianPackage = "docker-compose")
    void dockerComposeConfigAcceptsTheFileAndResolvesTheEnvFile() throws Exception {
        Files.copy(Path.of("compose.yaml"), project.resolve("compose.yaml"));
        Files.copy(Path.of("homeport.env.example"), project.resolve("homeport.env"));
        Result good = composeConfig(project);
        assertThat(good.status()).as(good.output()).isZero();
        assertThat(good.output()).contains("- 127.0.0.1:7790:7790/tcp", "published: 20100",
                "homeport-state:/var/lib/homeport-server:rw", "HOMEPORT_TOKEN: change-me-to-a-long-random-secret");

        // The tool does check: a misspelt key is refused.
        Files.writeString(project.resolve("compose.yaml"),
                Files.readString(project.resolve("compose.yaml")).replace("restart: unless-stopped", "restrat: unless-stopped"));
        Result bad = composeConfig(project);
        assertThat(bad.status()).isNotZero();
        assertThat(bad.output()).contains("restrat");
    }

    @Test
    void relayRunsTheImageJibBuildsAndRestartsByItself() {
        assertThat(relay.get("image")).isEqualTo("homeport-server:" + System.getProperty("homeport.version"));
        assertThat(relay.get("restart")).isEqualTo("unless-stopped");
        assertThat(relay.get("stop_grace_period")).isEqualTo("30s");
    }

    @Test
    void publishesControlHttpHttpsAndTunnelPortsAndTheAdminPortOnLoopbackOnly() {
        List<Object> ports = list(relay.get("ports"));
        assertThat(ports).containsExactlyInAnyOrder("7700:7700", "80:80", "443:443", "20000-20100:20000-20100",
                "127.0.0.1:7790:7790");
        Map<String, Object> env = map(relay.get("environment"));
        assertThat(env).containsEntry("HOMEPORT_ADMIN", "0.0.0.0:7790").containsEntry("HOMEPORT_HTTP", "0.0.0.0:80")
                .containsEntry("HOMEPORT_PORTS", "20000-20100");
        // Port 80 as the image's non-root user, with every capability dropped.
        assertThat(map(relay.get("sysctls"))).containsEntry("net.ipv4.ip_unprivileged_port_start", 0);
        assertThat(list(relay.get("cap_drop"))).containsExactly("ALL");
    }

    @Test
    void keepsStateOnANamedVolumeAtTheImagesStateDirectory() throws IOException {
        assertThat(list(relay.get("volumes"))).containsExactly("homeport-state:/var/lib/homeport-server");
        assertThat(map(compose.get("volumes"))).containsKey("homeport-state");
        // The same directory the image declares as its volume and points HOMEPORT_STATE_DIR at.
        assertThat(Files.readString(Path.of("pom.xml")))
                .contains("<volume>/var/lib/homeport-server</volume>")
                .contains("<HOMEPORT_STATE_DIR>/var/lib/homeport-server</HOMEPORT_STATE_DIR>");
    }

    @Test
    void readsTheTokenFromAnEnvFileWhoseExampleHoldsOne() throws IOException {
        assertThat(relay.get("env_file")).isEqualTo("homeport.env");
        assertThat(Files.readAllLines(Path.of("homeport.env.example"))).anyMatch(l -> l.startsWith("HOMEPORT_TOKEN="));
    }

    @Test
    void everyHomeportVariableInComposeAndTheEnvFileIsOneTheRelayReads() throws IOException {
        Set<String> used = new TreeSet<>(map(relay.get("environment")).keySet());
        Matcher m = ENV_NAME.matcher(Files.readString(Path.of("homeport.env.example")));
        while (m.find()) {
            used.add(m.group());
        }
        assertThat(used).containsAll(List.of("HOMEPORT_TOKEN", "HOMEPORT_ADMIN"));
        assertThat(relayVariables()).containsAll(used);
    }

    private record Result(int status, String output) {
    }

    private static Result composeConfig(Path dir) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("docker-compose", "--no-ansi", "config").directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("cannot run docker-compose (Debian package docker-compose, see .ci/run): " + e.getMessage());
        }
        try {
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                fail("docker-compose config did not finish");
            }
            return new Result(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }

    /** The environment variables homeport-server's options take their defaults from, as its --help says. */
    private static Set<String> relayVariables() {
        var spec = HomeportServerCommand.commandLine().getCommandSpec();
        List<String> texts = new ArrayList<>();
        texts.add(HomeportServerCommand.commandLine().getUsageMessage());
        for (OptionSpec o : spec.options()) {
            texts.add(String.valueOf(o.defaultValue()));
        }
        Set<String> names = new TreeSet<>();
        for (String t : texts) {
            Matcher m = ENV_NAME.matcher(t);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    private static Map<String, Object> load(String file) {
        try {
            return new Yaml().load(Files.readString(Path.of(file)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }
}
