package dev.homeport.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Bad flags of {@code homeport-server} end in one clear line on stderr and exit code 2, never a
 * stack trace. Each case is invalid, so no relay starts; a case that did start one would block, which
 * the timeout turns into a failure.
 */
class HomeportServerCommandTest {
    private static final Duration NEVER_STARTS_A_RELAY = Duration.ofSeconds(20);

    @TempDir
    Path stateDir;

    @Test
    void portRangeWhoseLowEndIsAboveItsHighEndIsAUsageError() {
        assertUsageError(run("--ports", "5-3"), "port range must be LO-HI", "5-3");
    }

    @Test
    void portRangeThatIsNotNumbersIsAUsageError() {
        assertUsageError(run("--ports", "abc"), "port range must be LO-HI", "'abc'");
    }

    @Test
    void portRangeOutsideOneTo65535IsAUsageError() {
        assertUsageError(run("--ports", "0-10"), "port range must be LO-HI with 1 <= LO <= HI <= 65535", "0-10");
        assertUsageError(run("--ports", "20000-70000"), "port range must be LO-HI with 1 <= LO <= HI <= 65535", "20000-70000");
    }

    @Test
    void unknownOptionIsAUsageErrorPointingToHelp() {
        assertUsageError(run("--bogus"), "Unknown option", "--bogus");
    }

    @Test
    void relayWithoutAnyTokenRefusesToStart() {
        assumeTrue(System.getenv("HOMEPORT_TOKEN") == null && System.getenv("HOMEPORT_TOKENS") == null,
                "a token is set in the environment");
        assertUsageError(run(), "no tokens", "--token");
    }

    @Test
    void relayWithAnEmptyOrBlankTokenRefusesToStart() {
        assumeTrue(System.getenv("HOMEPORT_TOKENS") == null, "a tokens file is set in the environment");
        assertUsageError(run("--token", ""), "no tokens", "--token");
        assertUsageError(run("--token", "   "), "no tokens", "--token");
    }

    @Test
    void aPerAddressConnectionCapBelowOneIsAUsageError() {
        assertUsageError(run("--max-connections-per-address", "0"), "maxConnectionsPerAddress must be at least 1", "0");
    }

    @Test
    void tenantAndFloodLimitsBelowTheirMinimumAreUsageErrorsNamingTheOption() {
        assertUsageError(run("--token", "t", "--max-sessions-per-token", "0"), "--max-sessions-per-token", "0");
        assertUsageError(run("--token", "t", "--max-tunnels-per-session", "0"), "--max-tunnels-per-session", "0");
        assertUsageError(run("--token", "t", "--max-tunnels-per-token", "-1"), "--max-tunnels-per-token", "-1");
        assertUsageError(run("--token", "t", "--max-pool-members", "0"), "--max-pool-members", "0");
        assertUsageError(run("--token", "t", "--max-control-backlog", "1KiB"), "maxControlBacklog", "1024");
        assertUsageError(run("--token", "t", "--max-unanswered-binds", "0"), "maxUnansweredBinds", "0");
        assertUsageError(run("--token", "t", "--max-answer-rate", "100"), "maxAnswerRate", "100");
    }

    @Test
    void theAnswerRateFlagReachesTheSessionSettings() {
        SessionLimitOptions options = new SessionLimitOptions();
        new picocli.CommandLine(options).parseArgs("--max-answer-rate", "5000");
        assertThat(options.toSettings().maxAnswerRate()).isEqualTo(5000);
        assertThat(new SessionLimitOptions().toSettings().maxAnswerRate())
                .isEqualTo(dev.homeport.protocol.ProtocolSettings.DEFAULT_MAX_ANSWER_RATE);
    }

    @Test
    void theAdminPortListensOnLoopbackUnlessToldOtherwise() {
        assumeTrue(System.getenv("HOMEPORT_ADMIN") == null, "HOMEPORT_ADMIN is set in the environment");
        HomeportServerCommand command = new HomeportServerCommand();
        new picocli.CommandLine(command).parseArgs("--token", "t");
        assertThat(command.admin).isEqualTo("127.0.0.1:7790");
        assertThat(command.maxConnectionsPerAddress).isEqualTo(100);
    }

    @Test
    void controlAddressWithoutAPortIsAUsageError() {
        assertUsageError(run("--control", "nohost"), "--control must be HOST:PORT", "'nohost'");
    }

    @Test
    void controlPortAbove65535IsAUsageError() {
        assertUsageError(run("--control", "0.0.0.0:99999"), "--control port must be 0-65535", "99999");
    }

    @Test
    void durationThatIsNotADurationIsAUsageError() {
        assertUsageError(run("--shutdown-grace", "soon"), "--shutdown-grace", "expected a duration", "'soon'");
    }

    @Test
    void numberThatIsNotANumberIsAUsageError() {
        assertUsageError(run("--max-streams", "many"), "--max-streams", "'many'");
    }

    @Test
    void httpsCertificatesWithoutHttpsOrWithoutTheirKeyAreUsageErrors() throws Exception {
        var pair = dev.homeport.server.tls.TestCertificates.write(stateDir, "site", "site.example.com");
        assertUsageError(run("--https-cert", pair.certificate().toString(), "--https-key", pair.key().toString()),
                "--https-cert and --https-key need --https HOST:PORT");
        assertUsageError(run("--https", "127.0.0.1:0", "--https-cert", pair.certificate().toString()),
                "--https-cert and --https-key come in pairs: got 1 certificate(s) and 0 key(s)");
    }

    @Test
    void aBadCertificateFileOrAMismatchedKeyIsAUsageErrorNamingTheFile() throws Exception {
        var a = dev.homeport.server.tls.TestCertificates.write(stateDir, "a", "a.example.com");
        var b = dev.homeport.server.tls.TestCertificates.write(stateDir, "b", "b.example.com");
        assertUsageError(run("--https", "127.0.0.1:0", "--https-cert", a.certificate().toString(), "--https-key", b.key().toString()),
                "--https-key " + b.key() + " does not match the certificate in " + a.certificate());
        Path missing = stateDir.resolve("nope.pem");
        assertUsageError(run("--https", "127.0.0.1:0", "--https-cert", missing.toString(), "--https-key", a.key().toString()),
                "--https-cert " + missing + " is not a readable file");
    }

    @Test
    void aPeerAddressNeedsARelayIdAndASecretFileOfAtLeastSixteenCharacters() throws Exception {
        assertUsageError(run("--peer-address", "127.0.0.1:0", "--token", "t"), "--peer-address needs --relay-id ID");
        assertUsageError(run("--peer-address", "127.0.0.1:0", "--relay-id", "r1", "--token", "t"),
                "--peer-address needs --peer-secret-file FILE");
        Path shortSecret = java.nio.file.Files.writeString(stateDir.resolve("peer-secret"), "too-short\n");
        assertUsageError(run("--peer-address", "127.0.0.1:0", "--relay-id", "r1", "--peer-secret-file", shortSecret.toString(),
                "--token", "t"), "--peer-secret-file " + shortSecret, "at least 16 characters");
        assertUsageError(run("--relay-id", "r1", "--token", "t"), "--relay-id and --peer-secret-file need --peer-address HOST:PORT");
    }

    private record Result(int exitCode, String out, String err) {
    }

    /** Runs the command with valid defaults for everything the case does not set, in a throwaway state directory. */
    private Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--state-dir", stateDir.toString()));
        if (!Arrays.asList(args).contains("--control")) {
            all.addAll(List.of("--control", "127.0.0.1:0"));
        }
        if (args.length > 0 && !Arrays.asList(args).contains("--token")) {
            all.addAll(List.of("--token", "cli-test-token"));
        }
        all.addAll(List.of(args));
        return assertTimeoutPreemptively(NEVER_STARTS_A_RELAY, () -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var cl = HomeportServerCommand.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(all.toArray(String[]::new));
            return new Result(code, out.toString(), err.toString());
        }, "homeport-server " + String.join(" ", all) + " did not fail: it started a relay");
    }

    /** One line naming the problem (plus, for a parsing error, the pointer to --help), exit code 2, no stack trace. */
    private static void assertUsageError(Result r, String... expected) {
        List<String> lines = r.err().lines().toList();
        assertThat(r.exitCode()).as("exit code; stderr was:%n%s", r.err()).isEqualTo(2);
        assertThat(lines).as("stderr").isNotEmpty();
        assertThat(lines.get(0)).startsWith("homeport-server: ").contains(expected);
        assertThat(lines.subList(1, lines.size())).as("stderr after the error line")
                .allSatisfy(l -> assertThat(l).isEqualTo("Try 'homeport-server --help' for more information."));
        assertThat(r.err() + r.out()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
