package dev.homeport.cli.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The loader: keys from option names, values checked by type and form, and errors at FILE:LINE:COL. */
class ConfigSchemaTest {
    @TempDir
    Path dir;

    enum Format { TEXT, JSON }

    @Command(name = "sample")
    static final class Sample {
        @Option(names = "--remote-port", paramLabel = "N") int remotePort;
        @Option(names = "--ping-interval", paramLabel = "DURATION") String pingInterval;
        @Option(names = "--max-window", paramLabel = "SIZE") String maxWindow;
        @Option(names = "--insecure-plaintext") boolean insecure;
        @Option(names = "--token", paramLabel = "TOKEN") String token;
        @Option(names = "--trusted-proxy", paramLabel = "CIDR", split = ",") List<String> proxies;
        @Option(names = "--log-format", paramLabel = "FORMAT") Format format;
        @Option(names = "--cert", paramLabel = "FILE") Path cert;
        @CommandLine.Mixin ConfigOption config = new ConfigOption();
    }

    private final ConfigSchema schema = ConfigSchema.of(new CommandLine(new Sample()).getCommandSpec().options());

    @Test
    void keysAreTheLongOptionNamesInSnakeCaseWithoutHelpOrConfig() {
        assertThat(schema.keys()).containsExactlyInAnyOrder("remote_port", "ping_interval", "max_window",
                "insecure_plaintext", "token", "trusted_proxy", "log_format", "cert");
    }

    @Test
    void valuesOfEveryTypeBecomeOptionStrings() throws Exception {
        Map<String, String> v = read("""
                remote_port: 20000
                ping_interval: 5s
                max_window: 4MiB
                insecure_plaintext: true
                token: abc
                trusted_proxy: [10.0.0.0/8, 127.0.0.1/32]
                log_format: json
                cert: certs/relay.pem
                """);
        assertThat(v).containsEntry("remote_port", "20000").containsEntry("ping_interval", "5s")
                .containsEntry("max_window", "4MiB").containsEntry("insecure_plaintext", "true")
                .containsEntry("token", "abc").containsEntry("trusted_proxy", "10.0.0.0/8,127.0.0.1/32")
                .containsEntry("log_format", "json")
                .containsEntry("cert", dir.resolve("certs/relay.pem").toString()); // relative to the file
    }

    @Test
    void anEmptyFileSetsNothing() throws Exception {
        assertThat(read("# nothing yet\n")).isEmpty();
    }

    @Test
    void aMistypedKeyNamesItsPlaceAndTheLikelyKey() {
        assertError("token: abc\nremote_prot: 1\n", "config.yaml:2:1: unknown key 'remote_prot'; did you mean 'remote_port'?");
    }

    @Test
    void aKeyInKebabCaseIsAnsweredWithItsSnakeCaseName() {
        assertError("ping-interval: 5s\n", "config.yaml:1:1: unknown key 'ping-interval'; did you mean 'ping_interval'?");
    }

    @Test
    void aKeyFarFromAnyKnownOneListsThemAll() {
        assertError("colour: blue\n", "config.yaml:1:1: unknown key 'colour'; expected one of: cert, insecure_plaintext,");
    }

    @Test
    void aWordWhereANumberBelongsIsAWrongType() {
        assertError("remote_port: many\n", "config.yaml:1:14: 'remote_port' must be a whole number, got 'many'");
    }

    @Test
    void aStringWhereTrueOrFalseBelongsIsAWrongType() {
        assertError("insecure_plaintext: yes please\n", "config.yaml:1:21: 'insecure_plaintext' must be true or false, got 'yes please'");
    }

    @Test
    void aListWhereOneValueBelongsIsAWrongType() {
        assertError("token:\n  - a\n  - b\n", "config.yaml:2:3: 'token' must be a single value (TOKEN), got a list");
    }

    @Test
    void aBadDurationSaysWhatADurationLooksLike() {
        assertError("ping_interval: 5 seconds\n",
                "config.yaml:1:16: bad duration for 'ping_interval': expected a duration such as 500ms, 30s, 2m or 1h, got '5 seconds'");
    }

    @Test
    void aBadSizeIsReportedAtItsPlace() {
        assertError("max_window: lots\n", "config.yaml:1:13: bad size for 'max_window'");
    }

    @Test
    void aValueOutsideAnEnumListsTheChoices() {
        assertError("log_format: xml\n", "config.yaml:1:13: 'log_format' must be one of text, json, got 'xml'");
    }

    @Test
    void aKeyWithoutAValueIsAnError() {
        assertError("token:\n", "config.yaml:1:1: 'token' has no value; expected a single value (TOKEN)");
    }

    @Test
    void aKeyGivenTwiceIsAnError() {
        assertError("token: a\ntoken: b\n", "config.yaml:2:1: 'token' appears twice (first at line 1); keep one");
    }

    @Test
    void aSecretComesFromAnEnvironmentVariable() throws Exception {
        String home = System.getenv("PATH");
        assertThat(read("token: ${env:PATH}\n")).containsEntry("token", home);
    }

    @Test
    void anUnsetEnvironmentVariableIsAnError() {
        assertError("token: ${env:HOMEPORT_TEST_SURELY_UNSET}\n",
                "config.yaml:1:8: environment variable HOMEPORT_TEST_SURELY_UNSET (for 'token') is not set");
    }

    @Test
    void aSecretComesFromAFileNextToTheConfig() throws Exception {
        Files.writeString(dir.resolve("token.txt"), "hp_secret\n");
        assertThat(read("token_file: token.txt\n")).containsEntry("token", "hp_secret");
    }

    @Test
    void aMissingSecretFileIsReportedAtItsPlace() {
        assertError("token_file: missing.txt\n", "config.yaml:1:13: 'token_file': no such file " + dir.resolve("missing.txt")
                + "; expected a file holding the token");
    }

    @Test
    void aValueAndItsFileTogetherAreAnError() throws Exception {
        Files.writeString(dir.resolve("token.txt"), "x");
        assertError("token: a\ntoken_file: token.txt\n", "config.yaml:2:1: 'token_file' and 'token' both set token; keep one");
    }

    @Test
    void textThatIsNotYamlIsReportedAtItsPlace() {
        assertError("token: [a\n", "config.yaml:2:1: not valid YAML:");
    }

    @Test
    void aFileThatIsNotAMappingIsAnError() {
        assertError("- a\n- b\n", "config.yaml:1:1: the file must be a mapping of keys to values (key: value), got a list");
    }

    @Test
    void aMissingConfigFileIsOneClearLine() {
        assertThatThrownBy(() -> ConfigFile.load(dir.resolve("nope.yaml")))
                .isInstanceOf(ConfigError.class)
                .hasMessage(dir.resolve("nope.yaml") + ": no such config file; expected a YAML file (--config FILE or HOMEPORT_CONFIG)");
    }

    @Test
    void sectionsAreLeftToTheirReaders() throws Exception {
        ConfigFile f = file("token: a\ntunnels: [1, 2]\n");
        assertThat(schema.read(f, f.entries(), Set.of("tunnels"))).containsOnlyKeys("token");
    }

    private Map<String, String> read(String yaml) throws Exception {
        ConfigFile f = file(yaml);
        return schema.read(f, f.entries(), Set.of());
    }

    private ConfigFile file(String yaml) throws Exception {
        Path p = dir.resolve("config.yaml");
        Files.writeString(p, yaml);
        return ConfigFile.parse("config.yaml", p, yaml);
    }

    private void assertError(String yaml, String expectedStart) {
        assertThatThrownBy(() -> read(yaml)).isInstanceOf(ConfigError.class).message().startsWith(expectedStart)
                .doesNotContain("Exception");
    }
}
