package dev.homeport.cli.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Precedence: a flag beats an environment variable, which beats the file, which beats the built-in default. */
class YamlDefaultsTest {
    @TempDir
    Path dir;

    @Command(name = "relay")
    static final class Relay implements Runnable {
        @Option(names = "--ports", defaultValue = "20000-20100") String ports;
        @Option(names = "--public-host", defaultValue = "${env:HOMEPORT_TEST_SURELY_UNSET:-}") String publicHost;
        @Option(names = "--home", defaultValue = "${env:HOME}") String home;
        @Option(names = "--trusted-proxy", split = ",") List<String> proxies;
        @Option(names = "--verbose") boolean verbose;
        @CommandLine.Mixin ConfigOption config = new ConfigOption();

        @Override
        public void run() {
        }
    }

    private Relay run(String yaml, String... flags) throws Exception {
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, yaml);
        Relay relay = new Relay();
        CommandLine cl = new CommandLine(relay);
        ConfigShape shape = new ConfigShape(root -> ConfigSchema.of(root.getCommandSpec().options()), Map.of(), c -> true);
        String[] args = new String[flags.length + 2];
        args[0] = "--config";
        args[1] = file.toString();
        System.arraycopy(flags, 0, args, 2, flags.length);
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertThat(ConfigLauncher.execute(cl, shape, args)).as("exit code; stderr: %s", err).isZero();
        return relay;
    }

    @Test
    void theFileBeatsTheBuiltInDefault() throws Exception {
        Relay r = run("ports: 30000-30010\npublic_host: relay.example.com\ntrusted_proxy: [10.0.0.0/8, 192.0.2.1/32]\nverbose: true\n");
        assertThat(r.ports).isEqualTo("30000-30010");
        assertThat(r.publicHost).isEqualTo("relay.example.com");
        assertThat(r.proxies).containsExactly("10.0.0.0/8", "192.0.2.1/32");
        assertThat(r.verbose).isTrue();
    }

    @Test
    void aFlagBeatsTheFile() throws Exception {
        Relay r = run("ports: 30000-30010\n", "--ports", "40000-40010");
        assertThat(r.ports).isEqualTo("40000-40010");
    }

    @Test
    void anEnvironmentVariableBeatsTheFile() throws Exception {
        assumeTrue(System.getenv("HOME") != null && !System.getenv("HOME").isEmpty(), "HOME is set");
        Relay r = run("home: /from/the/file\n");
        assertThat(r.home).isEqualTo(System.getenv("HOME"));
    }

    @Test
    void aFlagBeatsAnEnvironmentVariable() throws Exception {
        Relay r = run("home: /from/the/file\n", "--home", "/from/the/flag");
        assertThat(r.home).isEqualTo("/from/the/flag");
    }

    @Test
    void aDollarInAFileValueIsKeptAsWritten() throws Exception {
        Relay r = run("public_host: '${not.a.variable}'\n");
        assertThat(r.publicHost).isEqualTo("${not.a.variable}");
    }

    @Test
    void aMistakeInTheFileStopsBeforeTheCommandRunsWithExitCode2() throws Exception {
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, "ports: 30000-30010\nverbos: true\n");
        CommandLine cl = new CommandLine(new Relay());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        ConfigShape shape = new ConfigShape(root -> ConfigSchema.of(root.getCommandSpec().options()), Map.of(), c -> true);
        int code = ConfigLauncher.execute(cl, shape, "--config=" + file);
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(file + ":2:1: unknown key 'verbos'; did you mean 'verbose'?" + System.lineSeparator());
    }
}
