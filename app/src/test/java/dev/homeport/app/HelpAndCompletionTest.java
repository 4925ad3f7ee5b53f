package dev.homeport.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Every {@code homeport} command explains itself, and the completion script is valid bash that knows them all. */
class HelpAndCompletionTest {
    @TempDir
    Path dir;

    @Test
    void everyCommandHasADescriptionExamplesAndDescribedOptions() {
        List<String> problems = new ArrayList<>();
        check(HomeportMain.commandLine(), problems);
        assertThat(problems).isEmpty();
    }

    /** Shared with the relay's test in spirit: walks the tree, skipping picocli's own help command. */
    static void check(CommandLine cl, List<String> problems) {
        CommandSpec spec = cl.getCommandSpec();
        String name = spec.qualifiedName();
        if (spec.usageMessage().description().length == 0) {
            problems.add(name + ": no description");
        }
        if (!String.join("\n", spec.usageMessage().footer()).contains("Examples:")) {
            problems.add(name + ": no examples");
        }
        for (ArgSpec a : spec.args()) {
            if (a.description().length == 0 || String.join(" ", a.description()).startsWith("Default:")) {
                problems.add(name + " " + a.paramLabel() + (a.isOption() ? " (" + ((CommandLine.Model.OptionSpec) a).longestName() + ")" : "")
                        + ": no description");
            }
        }
        cl.getSubcommands().forEach((sub, child) -> {
            if (!(child.getCommand() instanceof CommandLine.HelpCommand)) {
                check(child, problems);
            }
        });
    }

    @Test
    void bothCommandsPrintTheVersionAndTheGitCommitOfThisBuild() throws Exception {
        // From a source tarball (no .git) the build says "unknown"; from a checkout, its HEAD.
        String commit = !Files.exists(Path.of("..", ".git")) ? "unknown" : new String(new ProcessBuilder("git", "rev-parse",
                "--short=10", "HEAD").directory(Path.of("..").toFile()).start().getInputStream().readAllBytes()).strip();
        String version = System.getProperty("homeport.version");
        StringWriter client = new StringWriter();
        CommandLine homeport = HomeportMain.commandLine();
        homeport.setOut(new PrintWriter(client, true));
        StringWriter server = new StringWriter();
        CommandLine homeportServer = new CommandLine(new dev.homeport.server.cli.HomeportServerCommand());
        homeportServer.setOut(new PrintWriter(server, true));

        assertThat(homeport.execute("--version")).isZero();
        assertThat(homeportServer.execute("--version")).isZero();

        assertThat(commit).matches("[0-9a-f]{10}|unknown");
        assertThat(client.toString().strip()).isEqualTo("homeport " + version + " (commit " + commit + ")");
        assertThat(server.toString().strip()).isEqualTo("homeport-server " + version + " (commit " + commit + ")");
    }

    @Test
    void helpOfEveryCommandEndsInExamples() {
        for (String[] args : List.of(new String[]{"--help"}, new String[]{"tcp", "--help"}, new String[]{"start", "--help"},
                new String[]{"status", "--help"}, new String[]{"completion", "--help"}, new String[]{"demo", "--help"})) {
            StringWriter out = new StringWriter();
            CommandLine cl = HomeportMain.commandLine();
            cl.setOut(new PrintWriter(out, true));
            assertThat(cl.execute(args)).isZero();
            assertThat(out.toString()).contains("Examples:").contains("--config").contains("--log-format");
        }
    }

    @Test
    void theBashCompletionScriptIsValidBashAndListsTheSubcommands() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cl = HomeportMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("completion", "bash")).isZero();
        String script = out.toString();
        Path file = dir.resolve("homeport.bash");
        Files.writeString(file, script);
        Process bash = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes());
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as("bash -n: %s", output).isZero();
        assertThat(script).contains("complete -F _complete_homeport").contains("--remote-port").contains("--log-format");
        for (String sub : List.of("tcp", "http", "start", "status", "completion", "demo")) {
            assertThat(script).as("subcommand " + sub).containsPattern("cmds\\w*=.*\\b" + sub + "\\b");
        }
    }

    @Test
    void theZshScriptIsTheSameScriptMarkedForZsh() {
        StringWriter out = new StringWriter();
        CommandLine cl = HomeportMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("completion", "zsh")).isZero();
        assertThat(out.toString()).startsWith("#compdef homeport").contains("bashcompinit");
    }
}
