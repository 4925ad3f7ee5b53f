package dev.homeport.client.cli;

import dev.homeport.cli.config.ConfigError;
import dev.homeport.cli.config.ConfigLauncher;
import dev.homeport.cli.config.YamlDefaults;
import dev.homeport.client.TunnelAccess;
import dev.homeport.client.TunnelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client's file: connection keys from the shared options, and a list of tunnels with the keys of tcp and http. */
class ClientConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void tunnelsOfBothTypesAreReadWithTheirDefaults() throws Exception {
        List<TunnelSpec> tunnels = tunnels("""
                server: relay.example.com:7700
                local_host: 127.0.0.2
                tunnels:
                  - {type: tcp, local_port: 8888, remote_port: 20000, name: jupyter}
                  - type: http
                    local_port: 3000
                    hostname: app
                  - {type: tcp, local_port: 22, local_host: 127.0.0.3}
                """, "127.0.0.2");
        assertThat(tunnels).containsExactly(
                new TunnelSpec("jupyter", "127.0.0.2", 8888, 20000),
                TunnelSpec.http("http-3000", "127.0.0.2", 3000, "app"),
                new TunnelSpec("tcp-22", "127.0.0.3", 22, 0));
    }

    @Test
    void accessKeysAndTlsTunnelsAreReadAndNeverDropped() throws Exception {
        List<TunnelSpec> tunnels = tunnels("""
                server: relay.example.com:7700
                tunnels:
                  - {type: http, local_port: 8888, hostname: lab, basic_auth: "ana:s3cret", allow_cidr: [192.0.2.0/24, 198.51.100.7]}
                  - {type: http, local_port: 3000, hostname: app, https_only: false}
                  - {type: tls, local_port: 8443, hostname: nas.example.com, allow_cidr: 203.0.113.0/24}
                  - {type: tcp, local_port: 22, allow_cidr: 192.0.2.9}
                """, "127.0.0.1");
        assertThat(tunnels).containsExactly(
                TunnelSpec.http("http-8888", "127.0.0.1", 8888, "lab")
                        .withAccess(new TunnelAccess(true, "ana:s3cret", List.of("192.0.2.0/24", "198.51.100.7"))),
                TunnelSpec.http("http-3000", "127.0.0.1", 3000, "app").withAccess(new TunnelAccess(false, "", List.of())),
                TunnelSpec.tls("tls-8443", "127.0.0.1", 8443, "nas.example.com")
                        .withAccess(new TunnelAccess(false, "", List.of("203.0.113.0/24"))),
                new TunnelSpec("tcp-22", "127.0.0.1", 22, 0).withAccess(new TunnelAccess(false, "", List.of("192.0.2.9"))));
    }

    @Test
    void proxyProtocolIsReadOnTcpAndTlsTunnelsAndIsNoKeyOfAnHttpTunnel() throws Exception {
        List<TunnelSpec> tunnels = tunnels("""
                tunnels:
                  - {type: tcp, local_port: 5432, proxy_protocol: true}
                  - {type: tls, local_port: 8443, hostname: nas.example.com, proxy_protocol: true}
                  - {type: tcp, local_port: 22}
                """, "127.0.0.1");
        assertThat(tunnels).extracting(TunnelSpec::proxyProtocol).containsExactly(true, true, false);
        assertThatThrownBy(() -> tunnels("tunnels:\n  - {type: http, local_port: 80, hostname: a, proxy_protocol: true}\n", "127.0.0.1"))
                .hasMessageContaining("'proxy_protocol' is not a setting of a http tunnel");
    }

    @Test
    void basicAuthMayComeFromAFile() throws Exception {
        Files.writeString(dir.resolve("app.credentials"), "ana:s3cret\n");
        List<TunnelSpec> tunnels = tunnels("tunnels:\n  - {type: http, local_port: 3000, hostname: app, basic_auth_file: app.credentials}\n",
                "127.0.0.1");
        assertThat(tunnels.get(0).access().basicAuth()).isEqualTo("ana:s3cret");
    }

    @Test
    void theTunnelKeysAreThoseOfTheTcpAndHttpCommands() {
        assertError("tunnels:\n  - {type: tcp, local_prot: 1}\n", "c.yaml:2:17: unknown key 'local_prot'; did you mean 'local_port'?");
    }

    @Test
    void aKeyOfTheOtherTunnelTypeIsNamedAsSuch() {
        assertError("tunnels:\n  - {type: http, local_port: 80, hostname: a, remote_port: 1}\n",
                "c.yaml:2:47: 'remote_port' is not a setting of a http tunnel; expected one of: allow_cidr, basic_auth, hostname, "
                        + "https_only, local_host, local_port, name, type");
    }

    @Test
    void aTunnelWithoutATypeIsAnError() {
        assertError("tunnels:\n  - {local_port: 80}\n", "c.yaml:2:5: a tunnel needs 'type': one of tcp, http, tls");
    }

    @Test
    void anUnknownTypeIsAnError() {
        assertError("tunnels:\n  - {type: udp, local_port: 80}\n", "c.yaml:2:12: 'type' must be one of tcp, http, tls, got 'udp'");
    }

    @Test
    void aTunnelWithoutALocalPortIsAnError() {
        assertError("tunnels:\n  - type: tcp\n    name: x\n", "c.yaml:2:5: a tcp tunnel needs 'local_port'");
    }

    @Test
    void anOutOfRangePortIsReportedAtItsTunnel() {
        assertError("tunnels:\n  - {type: tcp, local_port: 99999}\n",
                "c.yaml:2:5: this tcp tunnel is not valid: local port must be 1-65535, got 99999");
    }

    @Test
    void twoTunnelsWithOneNameAreAnError() {
        assertError("tunnels:\n  - {type: tcp, local_port: 1}\n  - {type: tcp, local_port: 1}\n",
                "c.yaml:3:5: a second tunnel named 'tcp-1' (first at line 2)");
    }

    @Test
    void tunnelsMustBeAList() {
        assertError("tunnels: 8888\n", "c.yaml:1:10: 'tunnels' must be a list of tunnels");
    }

    @Test
    void poolIsAConnectionKeyAndAnHttpTunnelMayLeaveItsNameToTheRelay() throws Exception {
        YamlDefaults defaults = load("""
                server: relay.example.com:7700
                pool: true
                tunnels:
                  - {type: http, local_port: 8888, name: lab}
                """);
        List<TunnelSpec> tunnels = TunnelsSection.of(HomeportCommand.commandLine())
                .read(defaults.file(), defaults.file().entries().get(TunnelsSection.KEY), "127.0.0.1");
        assertThat(tunnels).singleElement().satisfies(t -> assertThat(t.hostname()).isEmpty());

        ClientOptions options = new ClientOptions();
        new CommandLine(options).parseArgs("--server", "tcp://relay.example.com:7700", "--insecure-plaintext", "--token", "t",
                "--pool");
        assertThat(options.toConfig(tunnels).tunnels()).singleElement().satisfies(t -> assertThat(t.pool()).isTrue());
        ClientOptions alone = new ClientOptions();
        new CommandLine(alone).parseArgs("--server", "tcp://relay.example.com:7700", "--insecure-plaintext", "--token", "t");
        assertThat(alone.toConfig(tunnels).tunnels()).singleElement().satisfies(t -> assertThat(t.pool()).isFalse());
    }

    @Test
    void aConnectionKeyIsCheckedToo() {
        assertError("max_backoff: soon\n", "c.yaml:1:14: bad duration for 'max_backoff'");
    }

    @Test
    void startWithoutAConfigFileSaysWhatItNeeds() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("HOMEPORT_CONFIG") == null, "HOMEPORT_CONFIG is set");
        CommandLine cl = HomeportCommand.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code = HomeportCommand.execute(cl, "start", "--server", "relay.example:7700", "--token", "t");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("start: invalid setting: start runs the tunnels of a config file");
    }

    @Test
    void statusLooksWhereTheFileSaysClientsPublish() throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "state_dir: " + dir.resolve("elsewhere") + "\n");
        CommandLine cl = HomeportCommand.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertThat(HomeportCommand.execute(cl, "status", "--config", file.toString())).isEqualTo(StatusCommand.NONE_RUNNING);
        assertThat(err.toString()).contains(dir.resolve("elsewhere").resolve("clients").toString());
    }

    @Test
    void theExampleFileInDeployLoads() throws Exception {
        Path example = Path.of("..", "deploy", "examples", "homeport.example.yaml");
        Path copy = dir.resolve("homeport.yaml");
        Files.copy(example, copy, StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("homeport.token"), "hp_example\n"); // its token_file, next to it
        YamlDefaults defaults = ConfigLauncher.load(HomeportCommand.commandLine(), HomeportCommand.configShape(), copy);
        List<TunnelSpec> tunnels = TunnelsSection.of(HomeportCommand.commandLine())
                .read(defaults.file(), defaults.file().entries().get(TunnelsSection.KEY), "127.0.0.1");
        assertThat(tunnels).extracting(TunnelSpec::name).containsExactly("jupyter", "notebook-web", "ssh");
    }

    private List<TunnelSpec> tunnels(String yaml, String localHost) throws Exception {
        YamlDefaults defaults = load(yaml);
        return TunnelsSection.of(HomeportCommand.commandLine())
                .read(defaults.file(), defaults.file().entries().get(TunnelsSection.KEY), localHost);
    }

    private YamlDefaults load(String yaml) throws Exception {
        Path p = dir.resolve("c.yaml");
        Files.writeString(p, yaml);
        Path relative = Path.of("").toAbsolutePath().relativize(p);
        return ConfigLauncher.load(HomeportCommand.commandLine(), HomeportCommand.configShape(), relative);
    }

    private void assertError(String yaml, String expectedStart) {
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigError.class)
                .satisfies(e -> assertThat(e.getMessage().replace(Path.of("").toAbsolutePath().relativize(dir) + "/", ""))
                        .startsWith(expectedStart));
    }
}
