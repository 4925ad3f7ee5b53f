package dev.homeport.server.cli;

import dev.homeport.cli.config.ConfigLauncher;
import dev.homeport.cli.config.YamlDefaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** homeport-server: its config file, its help and completion, and a taken port as one clear line. */
class ServerConfigAndHelpTest {
    private static final Duration NEVER_STARTS_A_RELAY = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(String... args) {
        return assertTimeoutPreemptively(NEVER_STARTS_A_RELAY, () -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = HomeportServerCommand.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = HomeportServerCommand.execute(cl, args);
            return new Result(code, out.toString(), err.toString());
        });
    }

    @Test
    void theExampleFileInDeployLoads() {
        Path example = Path.of("..", "deploy", "examples", "homeport-server.example.yaml");
        YamlDefaults defaults = ConfigLauncher.load(HomeportServerCommand.commandLine(), HomeportServerCommand.configShape(), example);
        assertThat(defaults.file().entries()).containsKeys("control", "ports", "http", "domain", "log_format");
    }

    @Test
    void aMistakeInTheFileIsOneLineWithItsPlaceAndExitCode2() throws Exception {
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, "control: 127.0.0.1:0\nreconect_grace: 60s\n");
        Result r = run("--config", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(file + ":2:1: unknown key 'reconect_grace'; did you mean 'reconnect_grace'?"
                + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aValueFromTheFileIsCheckedLikeTheFlag() throws Exception {
        // The file passes the loader (a LO-HI string), then the relay's own check names the setting.
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, "ports: 5-3\ntoken: t\nstate_dir: " + dir + "\n");
        Result r = run("--config", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("homeport-server: invalid setting: port range must be LO-HI").doesNotContain("\tat ");
    }

    @Test
    void aTakenControlPortIsOneLineNamingTheAddressAndExitCode1() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Path file = dir.resolve("relay.yaml");
            Files.writeString(file, "control: 127.0.0.1:" + taken.getLocalPort() + "\ntoken: t\ninsecure_plaintext: true\n"
                    + "admin: ''\nstate_dir: " + dir + "\n");
            Result r = run("--config", file.toString());
            assertThat(r.exitCode()).as("stderr: %s", r.err()).isEqualTo(1);
            assertThat(r.err().lines().toList()).containsExactly("homeport-server: error: cannot listen on control 127.0.0.1:"
                    + taken.getLocalPort() + ": address already in use (another relay running?)");
        }
    }

    @Test
    void tokenCommandsTakeTheStateDirFromTheFileButNotTheRelaysPorts() throws Exception {
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, "ports: 30000-30010\nstate_dir: " + dir.resolve("state") + "\n");
        assertThat(run("token", "add", "ipad", "--config", file.toString()).exitCode()).isZero();
        Result list = run("--config", file.toString(), "token", "list");
        assertThat(list.out()).containsPattern("ipad +ports=\\* ");
        assertThat(dir.resolve("state").resolve("tokens")).exists();
    }

    @Test
    void everyCommandHasADescriptionExamplesAndDescribedOptions() {
        List<String> problems = new ArrayList<>();
        check(HomeportServerCommand.commandLine(), problems);
        assertThat(problems).isEmpty();
    }

    private static void check(CommandLine cl, List<String> problems) {
        CommandSpec spec = cl.getCommandSpec();
        if (spec.usageMessage().description().length == 0) {
            problems.add(spec.qualifiedName() + ": no description");
        }
        if (!String.join("\n", spec.usageMessage().footer()).contains("Examples:")) {
            problems.add(spec.qualifiedName() + ": no examples");
        }
        for (ArgSpec a : spec.args()) {
            if (a.description().length == 0 || String.join(" ", a.description()).startsWith("Default:")) {
                problems.add(spec.qualifiedName() + " " + a.paramLabel() + ": no description");
            }
        }
        cl.getSubcommands().forEach((name, child) -> {
            if (!(child.getCommand() instanceof CommandLine.HelpCommand)) {
                check(child, problems);
            }
        });
    }

    @Test
    void theBashCompletionScriptIsValidBashAndListsTheSubcommands() throws Exception {
        Result r = run("completion", "bash");
        assertThat(r.exitCode()).isZero();
        Path file = dir.resolve("homeport-server.bash");
        Files.writeString(file, r.out());
        Process bash = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes());
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as("bash -n: %s", output).isZero();
        assertThat(r.out()).contains("complete -F _complete_homeport-server").contains("--reconnect-grace");
        for (String sub : List.of("token", "completion", "add", "list", "revoke")) {
            assertThat(r.out()).as("subcommand " + sub).containsPattern("cmds\\w*=.*\\b" + sub + "\\b");
        }
    }
}
