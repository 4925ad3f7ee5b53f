package dev.homeport.client.cli;

import dev.homeport.cli.CliErrors;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.inspect.Inspector;
import dev.homeport.client.jupyter.AccessCheck;
import dev.homeport.client.jupyter.JupyterDiscovery;
import dev.homeport.client.jupyter.JupyterServer;
import dev.homeport.client.jupyter.JupyterWatch;
import dev.homeport.client.jupyter.TerminalQr;
import dev.homeport.client.session.LocalStreamTap;
import dev.homeport.protocol.SettingValues;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code homeport jupyter}: finds the Jupyter server running here, exposes it through the relay, and
 * prints what the iPad needs: the URL with Jupyter's token, its QR code, and the values for Juno.
 * Then it checks, through the tunnel, that Jupyter accepts the public name, and says what to change if not.
 */
@Command(name = "jupyter", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Exposes the Jupyter server running on this machine through the relay and prints its public URL "
                + "with Jupyter's token, a QR code of it, and the address, port and token to type into Juno. Finds "
                + "the server in Jupyter's runtime directory, as `jupyter server list` does. Then checks through the "
                + "tunnel that Jupyter accepts the public host name, and prints the option to set if it does not.",
        footer = {"", "Examples:",
                "  homeport jupyter --server relay.example.com:7700 --token \"$HOMEPORT_TOKEN\" --hostname jupyter",
                "  homeport jupyter --port 8888 --jupyter-token \"$JUPYTER_TOKEN\" --server relay.example.com:7700"})
public final class JupyterCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "N", description = "Jupyter's local port: picks that server when several run, "
            + "or names one that discovery does not find.")
    Integer port;

    @Option(names = "--jupyter-token", paramLabel = "TOKEN", defaultValue = "${env:JUPYTER_TOKEN}",
            description = "Jupyter's token (env JUPYTER_TOKEN). Default: the one in the server's runtime file.")
    String jupyterToken;

    @Option(names = "--hostname", paramLabel = "NAME", description = "Serve Jupyter under this host name on the relay's "
            + "public HTTP(S) port (the relay runs with --http); a name without a dot is completed with the relay's "
            + "--domain. Without it: a public TCP port.")
    String hostname;

    @Option(names = "--remote-port", paramLabel = "N", defaultValue = "0",
            description = "Public TCP port to ask for, without --hostname; 0 lets the relay choose. Default: ${DEFAULT-VALUE}.")
    int remotePort;

    @Option(names = "--runtime-dir", paramLabel = "DIR", description = "Where Jupyter servers write their jpserver-*.json "
            + "and nbserver-*.json. Default: $JUPYTER_RUNTIME_DIR, else Jupyter's data directory + /runtime "
            + "(~/.local/share/jupyter/runtime on Linux).")
    Path runtimeDir;

    @Option(names = "--no-check", description = "Skip the check, through the tunnel, that Jupyter accepts the public host "
            + "name and origin (it starts a kernel for a moment when none runs).")
    boolean noCheck;

    @Option(names = "--check-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "Limit for each request of the check. Default: ${DEFAULT-VALUE}.")
    String checkTimeout;

    @Option(names = "--recheck-interval", paramLabel = "DURATION", defaultValue = "2s",
            description = "While nothing answers on Jupyter's port, how often to look again (a warning says so, and a "
                    + "line when Jupyter answers). Default: ${DEFAULT-VALUE}.")
    String recheckInterval;

    @Option(names = "--no-qr", description = "Do not draw the URL as a QR code.")
    boolean noQr;

    @Option(names = "--qr-invert", description = "Draw the QR code for dark text on a light terminal background.")
    boolean qrInvert;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "jupyter", description = "Tunnel name in logs. Default: ${DEFAULT-VALUE}.")
    String name;

    @CommandLine.Mixin
    ClientOptions client = new ClientOptions();

    @CommandLine.Mixin
    InspectOptions inspect = new InspectOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JupyterServer server = choose(err);
        if (server == null) {
            return CliErrors.USAGE;
        }
        if (jupyterToken != null && !jupyterToken.isBlank()) {
            server = server.withToken(jupyterToken.trim());
        }
        if (server.secure() && hostname != null) {
            throw new IllegalArgumentException("this Jupyter serves HTTPS itself (its certfile), and an HTTP tunnel needs "
                    + "plain HTTP; leave out --hostname to use a TCP tunnel, which carries its TLS untouched");
        }
        TunnelSpec tunnel = hostname != null
                ? TunnelSpec.http(name, server.host(), server.port(), hostname)
                : new TunnelSpec(name, server.host(), server.port(), remotePort, TunnelSpec.Kind.TCP, "");
        Duration timeout = SettingValues.duration(checkTimeout, "--check-timeout");
        RelayClientConfig config = client.toConfig(List.of(tunnel));
        new JupyterWatch(server.host(), server.port(), SettingValues.duration(recheckInterval, "--recheck-interval"),
                config.connectTimeout()).start();
        JupyterServer chosen = server;
        // Jupyter's own HTTP, whether it crosses an HTTP tunnel or a public TCP port; a Jupyter serving
        // TLS itself gets no inspector (the client never sees inside its connections).
        Inspector inspector = chosen.secure() ? null : inspect.start(config.tunnels(), config.connectTimeout(), t -> true);
        try {
            return TcpCommand.run(config, client, new ClientEvents() {
                @Override
                public void tunnelBound(TunnelSpec t, String publicAddress, boolean first) {
                    if (first) {
                        URI origin = publicOrigin(publicAddress, chosen.secure());
                        printLive(out, chosen, origin, inspector);
                        if (!noCheck) {
                            // Off the client's event loop: the check's requests travel through this very client.
                            Thread th = new Thread(() -> printCheck(out, chosen, origin, timeout), "homeport-jupyter-check");
                            th.setDaemon(true);
                            th.start();
                        }
                    }
                }
            }, err, inspector == null ? LocalStreamTap.NONE : inspector);
        } finally {
            if (inspector != null) {
                inspector.close();
            }
        }
    }

    private JupyterServer choose(PrintWriter err) throws IOException {
        Path dir = runtimeDir != null ? runtimeDir : JupyterDiscovery.defaultRuntimeDir();
        JupyterDiscovery.Result found = JupyterDiscovery.scan(dir);
        List<JupyterServer> servers = found.servers();
        if (port != null) {
            return servers.stream().filter(s -> s.port() == port).findFirst()
                    .orElseGet(() -> JupyterServer.atPort(port, ""));
        }
        if (servers.size() == 1) {
            return servers.get(0);
        }
        if (servers.isEmpty()) {
            err.println("jupyter: no running Jupyter server found in " + dir
                    + (found.skipped().isEmpty() ? "" : " (" + String.join("; ", found.skipped()) + ")"));
            err.println("Start one (jupyter lab, jupyter notebook), or name its port with --port N.");
        } else {
            err.println("jupyter: " + servers.size() + " Jupyter servers run here; choose one with --port N:");
            servers.forEach(s -> err.println("  " + s.describe()));
        }
        err.flush();
        return null;
    }

    /** The public scheme://host:port: an HTTP tunnel's URL as the relay names it, or the TCP port in Jupyter's scheme. */
    static URI publicOrigin(String publicAddress, boolean secure) {
        URI a = URI.create(publicAddress);
        return "tcp".equals(a.getScheme()) ? URI.create((secure ? "https" : "http") + "://" + a.getRawAuthority()) : a;
    }

    /** The URL to open: the public origin, Jupyter's base URL and its token. */
    static String url(URI origin, JupyterServer server) {
        String base = origin.getScheme() + "://" + origin.getRawAuthority() + server.baseUrl();
        return server.token().isEmpty() ? base : base + "?token=" + URLEncoder.encode(server.token(), StandardCharsets.UTF_8);
    }

    private void printLive(PrintWriter out, JupyterServer server, URI origin, Inspector inspector) {
        boolean https = "https".equals(origin.getScheme());
        int publicPort = origin.getPort() > 0 ? origin.getPort() : https ? 443 : 80;
        String url = url(origin, server);
        StringBuilder b = new StringBuilder();
        b.append("Jupyter ").append(server.describe()).append('\n');
        b.append("is live through the relay at:\n\n  ").append(url).append("\n");
        if (inspector != null) {
            b.append("  inspect ").append(inspector.url()).append("\n");
        }
        b.append('\n');
        if (!noQr) {
            b.append(TerminalQr.render(url, qrInvert)).append('\n');
        }
        b.append("In Juno, add a Jupyter server with:\n");
        b.append("  Address  ").append(origin.getHost()).append('\n');
        b.append("  Port     ").append(publicPort).append('\n');
        b.append("  Token    ").append(server.token().isEmpty() ? "(none)" : server.token()).append('\n');
        b.append("  (HTTPS ").append(https ? "on" : "off").append(")\n");
        synchronized (out) {
            out.print(b);
            out.flush();
        }
    }

    private void printCheck(PrintWriter out, JupyterServer server, URI origin, Duration timeout) {
        Path configDir = AccessCheck.configDir(System.getenv(), JupyterDiscovery.home());
        AccessCheck.Verdict v = new AccessCheck(server, origin, configDir, timeout).run();
        synchronized (out) {
            out.print("\nCheck through the relay: " + v.text());
            out.flush();
        }
    }
}
