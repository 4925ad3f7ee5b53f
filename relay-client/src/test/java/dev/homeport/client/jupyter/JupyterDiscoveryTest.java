package dev.homeport.client.jupyter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JupyterDiscoveryTest {
    @TempDir
    Path dir;

    @Test
    void theRuntimeDirectoryIsFoundAsJupyterCoreFindsIt() {
        Path home = Path.of("/home/ann");
        assertThat(JupyterDiscovery.runtimeDir(Map.of("JUPYTER_RUNTIME_DIR", "/run/j"), "Linux", home)).isEqualTo(Path.of("/run/j"));
        assertThat(JupyterDiscovery.runtimeDir(Map.of("JUPYTER_DATA_DIR", "/data/j"), "Linux", home)).isEqualTo(Path.of("/data/j/runtime"));
        assertThat(JupyterDiscovery.runtimeDir(Map.of(), "Linux", home)).isEqualTo(Path.of("/home/ann/.local/share/jupyter/runtime"));
        assertThat(JupyterDiscovery.runtimeDir(Map.of("XDG_DATA_HOME", "/x"), "Linux", home)).isEqualTo(Path.of("/x/jupyter/runtime"));
        assertThat(JupyterDiscovery.runtimeDir(Map.of(), "Mac OS X", home)).isEqualTo(Path.of("/home/ann/Library/Jupyter/runtime"));
        assertThat(JupyterDiscovery.runtimeDir(Map.of("APPDATA", "/appdata"), "Windows 11", home))
                .isEqualTo(Path.of("/appdata", "jupyter", "runtime"));
    }

    @Test
    void liveServersOfBothKindsAreFoundAndLeftOversSocketsAndBrokenFilesAreSkippedWithAReason() throws Exception {
        Files.writeString(dir.resolve("jpserver-100.json"), """
                {"base_url": "/lab/", "hostname": "0.0.0.0", "password": false, "pid": 100, "port": 8890,
                 "root_dir": "/home/ann/work", "secure": false, "sock": "", "token": "abc", "url": "http://host:8890/lab/",
                 "version": "2.14.2"}""");
        Files.writeString(dir.resolve("nbserver-200.json"), """
                {"base_url": "/", "hostname": "127.0.0.1", "notebook_dir": "/home/ann", "password": false, "pid": 200,
                 "port": 8888, "secure": false, "sock": "", "token": "def", "url": "http://127.0.0.1:8888/"}""");
        Files.writeString(dir.resolve("nbserver-300.json"), """
                {"base_url": "/", "hostname": "localhost", "pid": 300, "port": 8887, "token": "old", "sock": ""}""");
        Files.writeString(dir.resolve("jpserver-400.json"), """
                {"base_url": "/", "pid": 400, "port": 0, "token": "", "sock": "/tmp/jupyter.sock"}""");
        Files.writeString(dir.resolve("jpserver-500.json"), "{not json");
        Files.writeString(dir.resolve("jpserver-500-open.html"), "<html>");
        Files.writeString(dir.resolve("kernel-1.json"), "{}");

        JupyterDiscovery.Result r = JupyterDiscovery.scan(dir, pid -> pid != 300);

        assertThat(r.servers()).extracting(JupyterServer::port).containsExactly(8888, 8890);
        JupyterServer nb = r.servers().get(0);
        assertThat(nb.kind()).isEqualTo(JupyterServer.Kind.NOTEBOOK);
        assertThat(nb.token()).isEqualTo("def");
        assertThat(nb.rootDir()).isEqualTo("/home/ann");
        assertThat(nb.localUrl()).isEqualTo("http://127.0.0.1:8888/");
        JupyterServer lab = r.servers().get(1);
        assertThat(lab.kind()).isEqualTo(JupyterServer.Kind.SERVER);
        assertThat(lab.host()).isEqualTo("127.0.0.1"); // listening on every address: dialed on loopback
        assertThat(lab.baseUrl()).isEqualTo("/lab/");
        assertThat(lab.version()).isEqualTo("2.14.2");
        assertThat(r.skipped()).hasSize(3).anySatisfy(s -> assertThat(s).isEqualTo("nbserver-300.json: process 300 is not running (left over)"))
                .anySatisfy(s -> assertThat(s).startsWith("jpserver-400.json: serves a Unix socket"))
                .anySatisfy(s -> assertThat(s).startsWith("jpserver-500.json: unreadable: "));
    }

    @Test
    void aMissingRuntimeDirectoryMeansNoServers() throws Exception {
        assertThat(JupyterDiscovery.scan(dir.resolve("absent")).servers()).isEmpty();
    }

    @Test
    void theRealPidCheckSeesThisProcessAliveAndAnUnusedPidDead() throws Exception {
        long self = ProcessHandle.current().pid();
        Files.writeString(dir.resolve("nbserver-" + self + ".json"), "{\"pid\": " + self + ", \"port\": 8888, \"hostname\": \"127.0.0.1\"}");
        Files.writeString(dir.resolve("nbserver-99999999.json"), "{\"pid\": 99999999, \"port\": 8889}");
        JupyterDiscovery.Result r = JupyterDiscovery.scan(dir);
        assertThat(r.servers()).extracting(JupyterServer::pid).containsExactly(self);
        assertThat(r.skipped()).containsExactly("nbserver-99999999.json: process 99999999 is not running (left over)");
    }
}
