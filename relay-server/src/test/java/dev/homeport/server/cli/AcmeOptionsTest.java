package dev.homeport.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Bad {@code --acme*} flags end in one clear line and exit code 2, before anything is written or bound. */
class AcmeOptionsTest {
    @TempDir
    Path stateDir;

    @Test
    void acmeSettingsWithoutAcmeAreAUsageError() {
        assertUsageError(run("--acme-email", "ops@example.com"), "need --acme");
    }

    @Test
    void anUnknownChallengeIsAUsageError() {
        assertUsageError(run("--acme", "--acme-challenge", "dns-01"), "--acme-challenge must be http-01, tls-alpn-01 or auto", "'dns-01'");
    }

    @Test
    void http01WithoutTheHttpListenerIsAUsageError() {
        assertUsageError(run("--acme", "--acme-challenge", "http-01"), "--acme-challenge http-01", "give --http");
    }

    @Test
    void aDirectoryThatIsNotAnHttpsUrlIsAUsageError() {
        assertUsageError(run("--acme", "--acme-directory", "ftp://ca.example/dir"), "--acme-directory must be an https URL", "ftp://ca.example/dir");
    }

    @Test
    void aMissingTrustCaFileIsAUsageError() {
        assertUsageError(run("--acme", "--acme-trust-ca", stateDir.resolve("nope.pem").toString()), "--acme-trust-ca", "not a readable file");
    }

    @Test
    void anEmailThatIsNotAnAddressIsAUsageError() {
        assertUsageError(run("--acme", "--acme-email", "ops"), "ACME email must be an address", "'ops'");
    }

    @Test
    void aRenewFractionOutsideZeroToOneIsAUsageError() {
        assertUsageError(run("--acme", "--acme-renew-fraction", "1.5"), "--acme-renew-fraction must be in (0, 1]", "1.5");
        assertUsageError(run("--acme", "--acme-renew-fraction", "third"), "--acme-renew-fraction must be a number", "'third'");
    }

    @Test
    void domainOnlyWithoutADomainIsAUsageError() {
        assertUsageError(run("--acme", "--acme-domain-only", "--http", "127.0.0.1:0"), "--acme-domain-only needs --domain");
    }

    @Test
    void aRetryMaxShorterThanTheMinimumIsAUsageError() {
        assertUsageError(run("--acme", "--acme-retry-min", "10m", "--acme-retry-max", "1m"), "retryMax", "retryMin");
    }

    @Test
    void acmeWithoutAnHttpsListenerIsAUsageError() {
        assertUsageError(run("--acme", "--http", "127.0.0.1:0"), "--acme needs --https");
    }

    private record Result(int exitCode, String out, String err) {
    }

    private Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--state-dir", stateDir.toString(), "--control", "127.0.0.1:0",
                "--token", "acme-cli-test-token", "--admin", ""));
        all.addAll(List.of(args));
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var cl = HomeportServerCommand.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            return new Result(cl.execute(all.toArray(String[]::new)), out.toString(), err.toString());
        }, "homeport-server " + String.join(" ", all) + " did not fail: it started a relay");
    }

    private void assertUsageError(Result r, String... expected) {
        assertThat(r.exitCode()).as("exit code; stderr was:%n%s", r.err()).isEqualTo(2);
        assertThat(r.err().lines().findFirst()).hasValueSatisfying(l -> assertThat(l).startsWith("homeport-server: ").contains(expected));
        assertThat(r.err() + r.out()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(stateDir.resolve("relay.crt")).as("nothing written before the settings are checked").doesNotExist();
    }
}
