package dev.homeport.client.cli;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.inspect.Inspector;
import dev.homeport.client.session.LocalStreamTap;
import dev.homeport.client.TunnelAccess;
import dev.homeport.client.TunnelSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code homeport http LOCAL_PORT [--hostname NAME]}: a host name on the relay's HTTP port for one local HTTP
 * service; without a name, the one the relay gives (and gave last time).
 */
@Command(name = "http", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Exposes a local HTTP service under a host name on the relay's public HTTP port (the relay runs "
                + "with --http). Prints the public URL when the tunnel is live, then keeps it up, reconnecting whenever "
                + "the connection drops. WebSockets pass through.",
        footer = {"", "Examples:",
                "  homeport http 8888 --hostname jupyter --server relay.example.com:7700 --token \"$HOMEPORT_TOKEN\"",
                "  homeport http 8888 --server relay.example.com:7700     # the relay names it, the same name next time",
                "  homeport http 3000 --hostname app.example.org --server relay.example.com:7700",
                "  HOMEPORT_BASIC_AUTH=ana:s3cret homeport http 8080 --hostname files --allow-cidr 192.0.2.0/24"})
public final class HttpCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOCAL_PORT", description = "The local port of the HTTP service.")
    int localPort;

    @Option(names = "--hostname", paramLabel = "NAME",
            description = "Host name to serve: a full name (jupyter.example.com), or a name without a dot (jupyter), "
                    + "which the relay completes with its --domain. Default: the name the relay gave this tunnel last "
                    + "time (remembered in --state-dir), else the token's reserved name, else one the relay makes up.")
    String hostname;

    @Option(names = "--name", paramLabel = "NAME", description = "Tunnel name in logs. Default: http-LOCAL_PORT.")
    String name;

    @Option(names = "--https-only", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Redirect plain-HTTP requests (308) to https://NAME/..., when the relay serves the name over "
                    + "HTTPS; where it does not, plain HTTP is served as usual. --no-https-only serves both. Default: on.")
    boolean httpsOnly;

    @Option(names = "--basic-auth", paramLabel = "USER:PASSWORD", defaultValue = "${env:HOMEPORT_BASIC_AUTH}",
            description = "The relay asks every public visitor for this user name and password (HTTP basic auth) "
                    + "before anything reaches the service; the credentials are not forwarded. Prefer the env "
                    + "HOMEPORT_BASIC_AUTH: a command line is visible to other local users. Default: none.")
    String basicAuth;

    @CommandLine.Mixin
    AccessOptions access = new AccessOptions();

    @CommandLine.Mixin
    ClientOptions client = new ClientOptions();

    @CommandLine.Mixin
    InspectOptions inspect = new InspectOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TunnelSpec tunnel = TunnelSpec.http(name == null ? "http-" + localPort : name, client.localHost(), localPort, hostname)
                .withAccess(new TunnelAccess(httpsOnly, basicAuth, access.allowFrom()));
        RelayClientConfig config = client.toConfig(List.of(tunnel));
        Inspector inspector = inspect.start(config.tunnels(), config.connectTimeout());
        PrintWriter out = spec.commandLine().getOut();
        try {
            return TcpCommand.run(config, client, new ClientEvents() {
                @Override
                public void tunnelBound(TunnelSpec t, String publicAddress, boolean first) {
                    if (first) {
                        // The inspector's address on the line after the URL, so a script reading the first line still gets the URL.
                        out.println(publicAddress);
                        if (inspector != null) {
                            out.println("inspect " + inspector.url());
                        }
                        out.flush();
                    }
                }
            }, spec.commandLine().getErr(), inspector == null ? LocalStreamTap.NONE : inspector);
        } finally {
            if (inspector != null) {
                inspector.close();
            }
        }
    }
}
