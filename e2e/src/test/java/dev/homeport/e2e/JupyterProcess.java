package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiredPrograms;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Jupyter Notebook 6 server (Debian's jupyter-notebook) on loopback, with its own HOME,
 * runtime and notebook directories under a test's temp directory, so that discovery sees only it.
 */
final class JupyterProcess implements AutoCloseable {
    static final String PROGRAM = "jupyter-notebook";
    static final String PACKAGE = "jupyter-notebook python3-ipykernel";
    /** Jupyter's start takes a few seconds, much more on a busy machine. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    final int port;
    final String token;
    final Path home;
    final Path runtimeDir;
    final Path notebookDir;
    private final ExternalProcess process;

    private JupyterProcess(int port, String token, Path home, Path runtimeDir, Path notebookDir, ExternalProcess process) {
        this.port = port;
        this.token = token;
        this.home = home;
        this.runtimeDir = runtimeDir;
        this.notebookDir = notebookDir;
        this.process = process;
    }

    /** Starts Jupyter under {@code dir} and waits until it answers with its token. */
    static JupyterProcess start(Path dir, boolean allowRemoteAccess) throws Exception {
        return start(dir, allowRemoteAccess, FreePorts.one());
    }

    /** As above, on a chosen {@code port}. */
    static JupyterProcess start(Path dir, boolean allowRemoteAccess, int port) throws Exception {
        Path binary = RequiredPrograms.require(PROGRAM, PACKAGE);
        Path home = Files.createDirectories(dir.resolve("home"));
        Path runtime = dir.resolve("runtime");
        Path notebooks = Files.createDirectories(dir.resolve("notebooks"));
        String token = "e2e" + Long.toHexString(System.nanoTime());
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--no-browser", "--ip=127.0.0.1", "--port=" + port,
                "--port-retries=0", "--NotebookApp.token=" + token, "--notebook-dir=" + notebooks));
        if (allowRemoteAccess) {
            cmd.add("--NotebookApp.allow_remote_access=True");
        }
        if (ProcessHandle.current().info().user().map("root"::equals).orElse(false)) {
            cmd.add("--allow-root"); // CI runs as root; Jupyter refuses that without this flag
        }
        ExternalProcess p = ExternalProcess.start("jupyter", cmd, Map.of("HOME", home.toString(),
                "JUPYTER_RUNTIME_DIR", runtime.toString(), "JUPYTER_CONFIG_DIR", home.resolve(".jupyter").toString(),
                "PYDEVD_DISABLE_FILE_VALIDATION", "1"), dir.resolve("jupyter.log"));
        JupyterProcess j = new JupyterProcess(port, token, home, runtime, notebooks, p);
        try {
            j.awaitAnswering();
        } catch (Exception | Error e) {
            j.close();
            throw e;
        }
        return j;
    }

    private void awaitAnswering() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new IllegalStateException("Jupyter exited at start:\n" + process.output());
            }
            try (RawHttp c = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
                int status = c.send(RawHttp.get("127.0.0.1:" + port, "/api/status", "Authorization: token " + token,
                        "Connection: close")).read().status();
                if (status == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Jupyter did not answer within " + START_TIMEOUT + ":\n" + process.output());
    }

    long pid() {
        return process.pid();
    }

    String log() {
        return process.output();
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
