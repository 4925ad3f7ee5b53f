package dev.homeport.client.cli;

import dev.homeport.cli.CliErrors;
import dev.homeport.client.jupyter.JupyterServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class JupyterCommandTest {
    @TempDir
    Path runtime;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = HomeportCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        String[] all = new String[args.length + 6];
        System.arraycopy(new String[]{"jupyter", "--server", "relay.invalid:7700", "--token", "t", "--runtime-dir=" + runtime}, 0, all, 0, 6);
        System.arraycopy(args, 0, all, 6, args.length);
        return cl.execute(all);
    }

    private void serverFile(String name, int port, boolean secure) throws Exception {
        long pid = ProcessHandle.current().pid(); // a live process, so that discovery keeps the file
        Files.writeString(runtime.resolve(name), "{\"pid\": " + pid + ", \"port\": " + port + ", \"hostname\": \"127.0.0.1\","
                + " \"token\": \"tk\", \"secure\": " + secure + ", \"base_url\": \"/\", \"notebook_dir\": \"/srv/nb\"}");
    }

    @Test
    void withNoServerRunningItSaysWhereItLookedAndHowToNameOne() {
        assertThat(run()).isEqualTo(CliErrors.USAGE);
        assertThat(err.toString()).startsWith("jupyter: no running Jupyter server found in " + runtime)
                .contains("or name its port with --port N.");
    }

    @Test
    void withSeveralServersItListsThemAndAsksForPort() throws Exception {
        serverFile("nbserver-1.json", 8888, false);
        serverFile("jpserver-2.json", 8890, false);
        assertThat(run()).isEqualTo(CliErrors.USAGE);
        assertThat(err.toString()).contains("jupyter: 2 Jupyter servers run here; choose one with --port N:\n",
                "  port 8888  http://127.0.0.1:8888/  (notebook 6, pid ", "  port 8890  http://127.0.0.1:8890/  (jupyter_server, pid ");
    }

    @Test
    void aJupyterThatServesHttpsItselfCannotGoThroughAnHttpTunnel() throws Exception {
        serverFile("jpserver-3.json", 8443, true);
        assertThat(run("--hostname", "jupyter")).isEqualTo(CliErrors.USAGE);
        assertThat(err.toString()).contains("serves HTTPS itself").contains("leave out --hostname");
    }

    @Test
    void thePrintedUrlIsThePublicOriginWithJupytersBaseUrlAndEncodedToken() {
        JupyterServer s = new JupyterServer(JupyterServer.Kind.SERVER, 1, "127.0.0.1", 8888, "lab", "a+b/c", false, "", "", null);
        assertThat(JupyterCommand.url(JupyterCommand.publicOrigin("http://jupyter.example.com:8080", false), s))
                .isEqualTo("http://jupyter.example.com:8080/lab/?token=a%2Bb%2Fc");
        assertThat(JupyterCommand.publicOrigin("tcp://relay.example.com:20000", true)).isEqualTo(URI.create("https://relay.example.com:20000"));
        assertThat(JupyterCommand.publicOrigin("tcp://relay.example.com:20000", false)).isEqualTo(URI.create("http://relay.example.com:20000"));
        assertThat(JupyterCommand.url(URI.create("https://j.example.com"), s.withToken(""))).isEqualTo("https://j.example.com/lab/");
    }
}
