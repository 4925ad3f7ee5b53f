package dev.homeport.e2e;

import dev.homeport.app.HomeportMain;
import dev.homeport.client.cli.HomeportCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code homeport status}, from "another terminal" (this JVM), against clients running in their own
 * processes: it finds each of them, shows its tunnel, and counts the bytes that crossed.
 */
@Timeout(180)
class StatusCommandTest {
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(15);

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    private record Result(int exitCode, String out, String err) {
    }

    private Result status() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = HomeportMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = HomeportCommand.execute(cl, "status", "--state-dir", dir.resolve("state").toString());
        return new Result(code, out.toString(), err.toString());
    }

    private CliProcess client(RelayHarness relay, LocalService service, String name) throws Exception {
        return teardown.add(CliProcess.homeport(dir, "tcp", Integer.toString(service.port()), "--name", name,
                "--server", "tcp://127.0.0.1:" + relay.controlPort(), "--token", RelayHarness.TOKEN, "--insecure-plaintext",
                "--state-dir", dir.resolve("state").toString()));
    }

    @Test
    void statusShowsEachRunningClientsTunnelAndTheBytesAfterTraffic() throws Exception {
        RelayHarness relay = teardown.add(RelayHarness.over(Transport.PLAIN).startRelay());
        LocalService echo = teardown.add(LocalService.echo(0));
        CliProcess first = client(relay, echo, "first");
        CliProcess second = client(relay, echo, "second");
        String address = first.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0);
        second.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT);

        String text = "x".repeat(100_000);
        assertThat(relay.request(URI.create(address).getPort(), text)).isEqualTo(text);

        Pattern firstClient = Pattern.compile("client pid " + first.pid() + ", relay 127\\.0\\.0\\.1:" + relay.controlPort()
                + ", connected\\n.*\\n  bytes in (\\d+), out (\\d+).*\\n  tunnel first  " + Pattern.quote(address));
        Await.until(STATUS_TIMEOUT, "homeport status shows the first client's traffic", () -> {
            Matcher m = firstClient.matcher(status().out());
            return m.find() && Long.parseLong(m.group(1)) >= text.length() && Long.parseLong(m.group(2)) >= text.length();
        });
        // Each client rewrites its status once a second: the second may still say "connecting" for up to that long.
        Await.until(STATUS_TIMEOUT, "homeport status shows the second client connected with its tunnel",
                () -> status().out().contains("client pid " + second.pid() + ", relay 127.0.0.1:" + relay.controlPort()
                        + ", connected"));
        Result r = status();
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("client pid " + second.pid()).contains("tunnel second  tcp://")
                .containsPattern("1 tunnel \\| \\d+ streams? \\| in .*/s out .*/s \\| rtt \\d+ ms");

        assertThat(first.stderr()).as("not a terminal: log lines only, no status line")
                .noneMatch(l -> l.contains("\r") || l.contains("tunnel |"));
        first.stop();
        second.stop();
        Result none = status();
        assertThat(none.exitCode()).as("exit code with no client running").isEqualTo(3);
        assertThat(none.err()).startsWith("homeport status: no client running");
        assertThat(none.out()).isEmpty();
    }

    @Test
    void onATerminalTheClientKeepsAStatusLineRedrawnInPlace() throws Exception {
        RelayHarness relay = teardown.add(RelayHarness.over(Transport.PLAIN).startRelay());
        LocalService echo = teardown.add(LocalService.echo(0));
        CliProcess client = teardown.add(CliProcess.homeportOnATerminal(dir, "tcp", Integer.toString(echo.port()),
                "--server", "tcp://127.0.0.1:" + relay.controlPort(), "--token", RelayHarness.TOKEN, "--insecure-plaintext",
                "--state-dir", dir.resolve("state").toString()));
        // Each redraw is "\r", erase to the end of the line, the line, and no newline: the reader splits at "\r".
        Pattern redraw = Pattern.compile("^\\u001b\\[Khomeport: 1 tunnel \\| \\d+ streams? \\| in .+/s out .+/s \\| rtt \\d+ ms"
                + " \\| connected to 127\\.0\\.0\\.1:" + relay.controlPort() + "$");
        client.awaitStdout(2, l -> redraw.matcher(l).matches(), STATUS_TIMEOUT);
        assertThat(client.stdout()).anyMatch(l -> l.contains("tcp://127.0.0.1:"));
    }

    @Test
    void onANarrowTerminalTheStatusLineIsCutToFitSoItNeverWraps() throws Exception {
        RelayHarness relay = teardown.add(RelayHarness.over(Transport.PLAIN).startRelay());
        LocalService echo = teardown.add(LocalService.echo(0));
        CliProcess client = teardown.add(CliProcess.homeportOnATerminal(dir, 30, "tcp", Integer.toString(echo.port()),
                "--server", "tcp://127.0.0.1:" + relay.controlPort(), "--token", RelayHarness.TOKEN, "--insecure-plaintext",
                "--state-dir", dir.resolve("state").toString()));
        // 29 characters: one short of the width, so the cursor never reaches the last column.
        client.awaitStdout(2, l -> l.equals("\u001b[Khomeport: 1 tunnel | 0 stream"), STATUS_TIMEOUT);
        assertThat(client.stdout()).filteredOn(l -> l.startsWith("\u001b[Khomeport:")).allMatch(l -> l.length() <= 3 + 29);
    }
}
