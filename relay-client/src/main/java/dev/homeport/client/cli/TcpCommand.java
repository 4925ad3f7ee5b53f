package dev.homeport.client.cli;

import dev.homeport.cli.CliErrors;
import dev.homeport.cli.LogFormat;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelAccess;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.session.LocalStreamTap;
import dev.homeport.client.memory.RememberedHosts;
import dev.homeport.client.memory.RememberedPorts;
import dev.homeport.client.status.StatusFiles;
import dev.homeport.client.status.StatusReporter;
import dev.homeport.client.status.TerminalLine;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code homeport tcp LOCAL_PORT}: one public TCP port on the relay for one local port. */
@Command(name = "tcp", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Exposes a local TCP port as a public TCP port on the relay. Prints tcp://HOST:PORT when the "
                + "tunnel is live, then keeps it up, reconnecting whenever the connection drops.",
        footer = {"", "Examples:",
                "  homeport tcp 8888 --server relay.example.com:7700 --token \"$HOMEPORT_TOKEN\"",
                "  HOMEPORT_SERVER=relay.example.com:7700 homeport tcp 8888 --remote-port 20888"})
public final class TcpCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOCAL_PORT", description = "The local port to expose.")
    int localPort;

    @Option(names = "--remote-port", paramLabel = "N", defaultValue = "0",
            description = "Public port to ask for; 0 lets the relay choose. Default: ${DEFAULT-VALUE}.")
    int remotePort;

    @Option(names = "--name", paramLabel = "NAME", description = "Tunnel name in logs. Default: tcp-LOCAL_PORT.")
    String name;

    @Option(names = "--proxy-protocol", description = "Start each connection to the local service with a PROXY "
            + "protocol v2 header naming the public peer's address and port (nginx: listen ... proxy_protocol; HAProxy: "
            + "accept-proxy). Only for a service that expects it: any other reads the header as garbage.")
    boolean proxyProtocol;

    @CommandLine.Mixin
    AccessOptions access = new AccessOptions();

    @CommandLine.Mixin
    ClientOptions client = new ClientOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TunnelSpec tunnel = new TunnelSpec(name == null ? "tcp-" + localPort : name, client.localHost(), localPort, remotePort)
                .withAccess(new TunnelAccess(false, "", access.allowFrom())).withProxyProtocol(proxyProtocol);
        RelayClientConfig config = client.toConfig(List.of(tunnel));
        return run(config, client, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** Runs a client until a signal stops it (exit 0) or the relay refuses it (exit 1); prints the public address. */
    static int run(RelayClientConfig config, ClientOptions options, PrintWriter out, PrintWriter err) throws InterruptedException {
        return run(config, options, new ClientEvents() {
            @Override
            public void tunnelBound(TunnelSpec t, String publicAddress, boolean first) {
                if (first) {
                    out.println(publicAddress);
                    out.flush();
                }
            }
        }, err);
    }

    /** As above, with the command's own reaction to the client's events; a live status line is kept on a terminal. */
    static int run(RelayClientConfig config, ClientOptions options, ClientEvents events, PrintWriter err)
            throws InterruptedException {
        return run(config, options, events, err, LocalStreamTap.NONE);
    }

    /** As above, with {@code tap} told of every local connection (the request inspector). */
    static int run(RelayClientConfig config, ClientOptions options, ClientEvents events, PrintWriter err, LocalStreamTap tap)
            throws InterruptedException {
        TerminalLine line = TerminalLine.available() ? TerminalLine.install() : null;
        RelayClient client = RelayClient.start(config, new ClientEvents() {
            @Override
            public void connected(String sessionId) {
                events.connected(sessionId);
            }

            @Override
            public void tunnelBound(TunnelSpec t, String publicAddress, boolean first) {
                if (line != null) {
                    line.erase(); // what the command prints goes to stdout, under the status line
                }
                events.tunnelBound(t, publicAddress, first);
            }

            @Override
            public void disconnected(String reason, Duration retryIn) {
                events.disconnected(reason, retryIn);
            }

            @Override
            public void fatal(String message) {
                events.fatal(message);
            }
        }, tap, RememberedPorts.in(options.stateDir(), config.relayKey()), RememberedHosts.in(options.stateDir(), config.relayKey()));
        StatusReporter status = StatusReporter.start(client, config, new StatusFiles(options.stateDir()), line);
        Thread hook = new Thread(() -> {
            status.close();
            client.close();
        }, "homeport-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String failure;
        try {
            failure = client.failure().join();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is already running; it closes the client.
            }
        }
        status.close();
        client.close();
        if (LogFormat.current() == LogFormat.TEXT) {
            // In JSON mode the event=gave_up line already says it, and stderr stays all JSON.
            err.println("homeport: " + failure);
            err.flush();
        }
        return CliErrors.FAILURE;
    }
}
