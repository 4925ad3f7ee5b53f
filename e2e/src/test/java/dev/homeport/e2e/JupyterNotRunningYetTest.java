package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiredPrograms;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code homeport jupyter --port N} before Jupyter runs on N, with the built client and relay in their own
 * processes: the tunnel goes live, the client warns that nothing answers there and keeps looking, and
 * says so once a real Jupyter notebook server starts on N.
 */
@Timeout(240)
class JupyterNotRunningYetTest {
    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    @Test
    void theClientWarnsThatNoJupyterAnswersAndSaysWhenOneStarts() throws Exception {
        RequiredPrograms.require(JupyterProcess.PROGRAM, JupyterProcess.PACKAGE);
        int base = FreePorts.block(3);
        CliProcess relay = teardown.add(CliProcess.server(dir, "--control", "127.0.0.1:" + base, "--ports",
                (base + 1) + "-" + (base + 2), "--bind-address", "127.0.0.1", "--admin", "", "--shutdown-grace", "1s",
                "--token", RelayHarness.TOKEN, "--insecure-plaintext", "--state-dir", dir.resolve("relay-state").toString()));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);

        int jupyterPort = FreePorts.one();
        CliProcess client = teardown.add(CliProcess.homeport(dir, "jupyter", "--port", Integer.toString(jupyterPort),
                "--runtime-dir", Files.createDirectories(dir.resolve("no-servers")).toString(), "--no-check", "--no-qr",
                "--recheck-interval", "500ms", "--server", "tcp://127.0.0.1:" + base, "--insecure-plaintext",
                "--token", RelayHarness.TOKEN, "--state-dir", dir.resolve("client-state").toString()));
        client.awaitStdout(1, l -> l.contains("is live through the relay"), CliProcess.START_TIMEOUT);
        client.awaitStderr(l -> l.contains("event=jupyter_not_answering target=127.0.0.1:" + jupyterPort)
                && l.contains("nothing answers there"), Duration.ofSeconds(10), "the warning that no Jupyter answers");
        assertThat(client.stderr()).noneMatch(l -> l.contains("event=jupyter_answering"));

        teardown.add(JupyterProcess.start(dir.resolve("jupyter"), true, jupyterPort));
        client.awaitStderr(l -> l.contains("event=jupyter_answering target=127.0.0.1:" + jupyterPort), Duration.ofSeconds(15),
                "the line that Jupyter now answers");
        assertThat(client.stderr().stream().filter(l -> l.contains("event=jupyter_not_answering")))
                .as("one warning, not one per look").hasSize(1);
    }
}
