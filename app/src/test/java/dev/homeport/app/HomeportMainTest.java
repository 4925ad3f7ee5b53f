package dev.homeport.app;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Bad arguments to {@code homeport} end in one clear line on stderr and exit code 2, never a stack
 * trace. Each case is invalid, so no client (or demo relay) starts; a case that did start one would
 * block, which the timeout turns into a failure.
 */
class HomeportMainTest {
    private static final Duration NEVER_STARTS_A_CLIENT = Duration.ofSeconds(20);
    private static final String RELAY = "relay.example:7700";

    @Test
    void tcpWithoutALocalPortIsAUsageError() {
        Result r = run("tcp", "--server", RELAY, "--token", "t");
        assertUsageError(r, "tcp", "Missing required parameter", "LOCAL_PORT");
    }

    @Test
    void tcpWithALocalPortAbove65535IsAUsageError() {
        assertUsageError(run("tcp", "99999", "--server", RELAY, "--token", "t"), "tcp", "local port must be 1-65535", "99999");
    }

    @Test
    void tcpWithALocalPortThatIsNotANumberIsAUsageError() {
        assertUsageError(run("tcp", "abc", "--server", RELAY, "--token", "t"), "tcp", "LOCAL_PORT", "'abc'");
    }

    @Test
    void serverWithoutAPortIsAUsageError() {
        assertUsageError(run("tcp", "8888", "--server", "nohost", "--token", "t"), "tcp", "--server needs a port", "'nohost'");
    }

    @Test
    void plaintextServerWithoutTheInsecureFlagIsAUsageError() {
        assertUsageError(run("tcp", "8888", "--server", "tcp://relay.example:7700", "--token", "t"),
                "tcp", "unencrypted", "--insecure-plaintext");
    }

    @Test
    void missingTokenIsAUsageError() {
        assumeTrue(System.getenv("HOMEPORT_TOKEN") == null, "HOMEPORT_TOKEN is set in the environment");
        assertUsageError(run("tcp", "8888", "--server", RELAY), "tcp", "Missing required option", "--token");
    }

    @Test
    void unknownOptionIsAUsageErrorPointingToHelp() {
        assertUsageError(run("tcp", "8888", "--server", RELAY, "--token", "t", "--bogus"), "tcp", "Unknown option", "--bogus");
    }

    @Test
    void noSubcommandIsAUsageError() {
        assertUsageError(run(), "homeport", "a subcommand is required");
    }

    @Test
    void demoWithABadPortRangeIsAUsageErrorAndStartsNothing() {
        assertUsageError(run("demo", "8888", "--ports", "5-3"), "demo", "port range must be LO-HI", "5-3");
    }

    @Test
    void demoWithALocalPortAbove65535IsAUsageError() {
        assertUsageError(run("demo", "99999"), "demo", "local port must be 1-65535", "99999");
    }

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(String... args) {
        return assertTimeoutPreemptively(NEVER_STARTS_A_CLIENT, () -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var cl = HomeportMain.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Result(code, out.toString(), err.toString());
        }, "homeport " + String.join(" ", args) + " did not fail: it started something");
    }

    /** One line naming the problem (plus, for a parsing error, the pointer to --help), exit code 2, no stack trace. */
    private static void assertUsageError(Result r, String command, String... expected) {
        List<String> lines = r.err().lines().toList();
        assertThat(r.exitCode()).as("exit code; stderr was:%n%s", r.err()).isEqualTo(2);
        assertThat(lines).as("stderr").isNotEmpty();
        assertThat(lines.get(0)).startsWith(command + ": ").contains(expected);
        assertThat(lines.subList(1, lines.size())).as("stderr after the error line")
                .allSatisfy(l -> assertThat(l).matches("Try 'homeport( \\w+)? --help' for more information\\."));
        assertThat(r.out()).as("stdout").isEmpty();
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
