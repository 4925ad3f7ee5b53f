package dev.homeport.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The secure defaults as a user meets them, with the built commands in their own processes: a
 * relay that makes, keeps and prints its certificate; a client that pins it and refuses another;
 * the warning plaintext costs; and tokens added, listed and revoked from the command line while the
 * relay runs.
 */
@Timeout(240)
class SecureByDefaultCliTest {
    private static final Pattern FINGERPRINT = Pattern.compile("fingerprint (SHA256:[A-Za-z0-9+/]{43})");

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    @Test
    void theRelayMakesKeepsAndPrintsItsCertificateAndOnlyAClientPinningItAndHoldingTheTokenConnects() throws Exception {
        int base = FreePorts.block(3);
        Path state = dir.resolve("relay-state");
        CliProcess relay = teardown.add(relay(base, state, "--token", RelayHarness.TOKEN));
        String fingerprint = fingerprint(relay);
        assertThat(Files.list(state).map(p -> p.getFileName().toString())).as("the certificate kept in the state dir")
                .anyMatch(n -> n.endsWith(".pem") || n.endsWith(".crt"));

        LocalService echo = teardown.add(LocalService.echo(0));
        CliProcess pinned = teardown.add(client(echo.port(), base, RelayHarness.TOKEN, "--fingerprint", fingerprint));
        int publicPort = URI.create(pinned.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0)).getPort();
        assertThat(SecurityTest.echoThrough(publicPort, "pinned")).isEqualTo("pinned");
        assertThat(pinned.stop()).isIn(0, 143);

        // The same certificate after a restart: a pinned client keeps working.
        assertThat(relay.stop()).isIn(0, 143);
        CliProcess again = teardown.add(relay(base, state, "--token", RelayHarness.TOKEN));
        assertThat(fingerprint(again)).isEqualTo(fingerprint);

        String other = "SHA256:" + "A".repeat(43);
        CliProcess wrongPin = teardown.add(client(echo.port(), base, RelayHarness.TOKEN, "--fingerprint", other));
        wrongPin.awaitStderr(l -> l.contains("presented certificate " + fingerprint) && l.contains("--fingerprint expects " + other),
                Duration.ofSeconds(30), "the pin mismatch named with both fingerprints");
        assertThat(wrongPin.stdout()).noneMatch(l -> l.startsWith("tcp://"));

        // A wrong token: the client says so and stops; the relay logs the failure with the address it came from.
        CliProcess wrongToken = teardown.add(client(echo.port(), base, "not-the-token", "--fingerprint", fingerprint));
        assertThat(wrongToken.exitCode()).isNotZero();
        assertThat(String.join("\n", wrongToken.stderr())).contains("this relay does not accept that token");
        again.awaitStderr(l -> l.contains("event=handshake_failed remote=/127.0.0.1:") && l.contains("code=AUTH_FAILED"),
                Duration.ofSeconds(10), "the relay's log line with the failing address");
    }

    @Test
    void plaintextMustBeAskedForOnBothSidesAndEachSideWarns() throws Exception {
        int base = FreePorts.block(3);
        CliProcess relay = teardown.add(relay(base, dir.resolve("relay-state"), "--token", RelayHarness.TOKEN, "--insecure-plaintext"));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);
        relay.awaitStderr(l -> l.contains("event=insecure_plaintext"), Duration.ofSeconds(5), "the relay's plaintext warning");

        LocalService echo = teardown.add(LocalService.echo(0));
        CliProcess client = teardown.add(CliProcess.homeport(dir, "tcp", Integer.toString(echo.port()), "--server",
                "tcp://127.0.0.1:" + base, "--token", RelayHarness.TOKEN, "--insecure-plaintext", "--state-dir",
                dir.resolve("client-state").toString()));
        int publicPort = URI.create(client.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0)).getPort();
        client.awaitStderr(l -> l.contains("event=insecure_plaintext"), Duration.ofSeconds(5), "the client's plaintext warning");
        assertThat(SecurityTest.echoThrough(publicPort, "clear")).isEqualTo("clear");
    }

    @Test
    void aTokenIsPrintedOnceListedWithItsRightsAndLastUseAndItsRevocationEndsTheLiveSession() throws Exception {
        int base = FreePorts.block(4);
        Path tokens = dir.resolve("tokens");
        Path state = dir.resolve("relay-state");
        String granted = Integer.toString(base + 1);

        CliProcess add = teardown.add(CliProcess.server(dir, "token", "add", "ipad", "--ports", granted + "-" + granted,
                "--hosts", "lab.example.com", "--tokens", tokens.toString()));
        assertThat(add.exitCode()).as(add.describe()).isZero();
        String token = add.stdout().get(0).trim();
        assertThat(token).hasSizeGreaterThanOrEqualTo(32);
        assertThat(Files.readString(tokens)).as("only a hash is stored").doesNotContain(token).contains("ipad");

        CliProcess relay = teardown.add(relay(base, state, "--tokens", tokens.toString()));
        String fingerprint = fingerprint(relay);
        assertThat(list(tokens)).anySatisfy(l -> assertThat(l).startsWith("ipad").contains(granted).contains("lab.example.com"));
        String lastUseBefore = lastUse(tokens);

        LocalService echo = teardown.add(LocalService.echo(0));
        CliProcess outOfRange = teardown.add(client(echo.port(), base, token, "--fingerprint", fingerprint,
                "--remote-port", Integer.toString(base + 2)));
        outOfRange.awaitStderr(l -> l.contains("homeport: relay refused tunnel")
                        && l.contains("token ipad may bind ports " + granted + " only, not " + (base + 2)),
                Duration.ofSeconds(30), "a port outside the token's rights refused by name");

        CliProcess ipad = teardown.add(client(echo.port(), base, token, "--fingerprint", fingerprint, "--remote-port", granted));
        String address = ipad.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0);
        assertThat(URI.create(address).getPort()).isEqualTo(base + 1);
        assertThat(SecurityTest.echoThrough(base + 1, "granted")).isEqualTo("granted");
        Await.until(Duration.ofSeconds(10), "token list shows the last use", () -> {
            try {
                return !lastUse(tokens).equals(lastUseBefore);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        CliProcess revoke = teardown.add(CliProcess.server(dir, "token", "revoke", "ipad", "--tokens", tokens.toString()));
        assertThat(revoke.exitCode()).as(revoke.describe()).isZero();
        ipad.awaitStderr(l -> l.contains("event=disconnected") || l.contains("event=gave_up"), Duration.ofSeconds(10),
                "the revoked client's session closed by the running relay");
        Await.until(Duration.ofSeconds(10), "the public port closed with the session", () -> {
            try {
                SecurityTest.echoThrough(base + 1, "after");
                return false;
            } catch (Exception refused) {
                return true;
            }
        });
        assertThat(list(tokens)).noneMatch(l -> l.startsWith("ipad"));
    }

    // ---- fixtures ----

    private CliProcess relay(int base, Path state, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--control", "127.0.0.1:" + base, "--ports",
                (base + 1) + "-" + (base + 2), "--bind-address", "127.0.0.1", "--admin", "", "--shutdown-grace", "1s",
                "--state-dir", state.toString()));
        args.addAll(List.of(more));
        return CliProcess.server(dir, args.toArray(String[]::new));
    }

    private CliProcess client(int localPort, int relayPort, String token, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("tcp", Integer.toString(localPort), "--server",
                "127.0.0.1:" + relayPort, "--token", token, "--max-backoff", "500ms", "--state-dir",
                dir.resolve("client-state-" + System.nanoTime()).toString()));
        args.addAll(List.of(more));
        return CliProcess.homeport(dir, args.toArray(String[]::new));
    }

    private static String fingerprint(CliProcess relay) {
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);
        String line = relay.stdout().stream().filter(l -> l.startsWith("TLS certificate")).findFirst()
                .orElseThrow(() -> new AssertionError("no certificate line: " + relay.describe()));
        Matcher m = FINGERPRINT.matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return m.group(1);
    }

    private List<String> list(Path tokens) throws Exception {
        CliProcess list = CliProcess.server(dir, "token", "list", "--tokens", tokens.toString());
        assertThat(list.exitCode()).as(list.describe()).isZero();
        return list.stdout();
    }

    /** The LAST USED column of ipad's row. */
    private String lastUse(Path tokens) throws Exception {
        String row = list(tokens).stream().filter(l -> l.startsWith("ipad")).findFirst().orElseThrow();
        return row.substring(row.lastIndexOf(' ') + 1);
    }
}
