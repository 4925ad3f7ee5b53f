package dev.homeport.client.cli;

import dev.homeport.cli.CliErrors;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.transport.RelayHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --server} with several relays: one config for all of them, and usage errors that name the flag. */
class ServerListOptionTest {
    @TempDir
    Path dir;

    @Test
    void aListGivesEveryRelayOneTransportAndOneKeyForWhatTheClientRemembers() {
        TcpCommand tcp = new TcpCommand();
        new CommandLine(tcp).parseArgs("8888", "--server", "b.example.com:7700, a.example.com:7700", "--token", "t",
                "--known-relays", dir.resolve("known_relays").toString());
        RelayClientConfig config = tcp.client.toConfig(List.of(new TunnelSpec("t", "127.0.0.1", 8888, 0)));
        assertThat(config.relays()).containsExactly(new RelayHost("b.example.com", 7700), new RelayHost("a.example.com", 7700));
        assertThat(config.transport().name()).isEqualTo("tls");
        assertThat(config.relayKey()).as("the order given does not change it").isEqualTo("a.example.com:7700,b.example.com:7700");
    }

    @Test
    void oneRelayKeepsTheKeyOfEarlierVersions() {
        TcpCommand tcp = new TcpCommand();
        new CommandLine(tcp).parseArgs("8888", "--server", "tcp://127.0.0.1:7700", "--insecure-plaintext", "--token", "t");
        assertThat(tcp.client.toConfig(List.of(new TunnelSpec("t", "127.0.0.1", 8888, 0))).relayKey()).isEqualTo("127.0.0.1:7700");
    }

    @Test
    void aListMixingSchemesIsAUsageErrorNamingTheFlag() {
        StringWriter err = new StringWriter();
        CommandLine cl = HomeportCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        int code = cl.execute("tcp", "8888", "--server", "a.example.com:7700,tcp://b.example.com:7700", "--token", "t",
                "--insecure-plaintext", "--state-dir", dir.toString());
        assertThat(code).isEqualTo(CliErrors.USAGE);
        assertThat(err.toString()).startsWith("tcp: invalid setting: --server mixes tls:// (a.example.com:7700) and tcp:// "
                + "(b.example.com:7700): every relay in the list must use one transport");
    }

    @Test
    void theConfigFilesServerKeyTakesTheListToo() throws Exception {
        Path file = dir.resolve("homeport.yaml");
        Files.writeString(file, "server: a.example.com:7700, ws://b.example.com/_homeport\ntoken: t\nstate_dir: " + dir + "\n");
        StringWriter err = new StringWriter();
        CommandLine cl = HomeportCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        assertThat(HomeportCommand.execute(cl, "tcp", "8888", "--config", file.toString())).isEqualTo(CliErrors.USAGE);
        assertThat(err.toString()).startsWith("tcp: invalid setting: --server mixes tls:// (a.example.com:7700) and ws:// "
                + "(b.example.com:80)");
    }
}
