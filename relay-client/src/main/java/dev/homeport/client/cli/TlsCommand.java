package dev.homeport.client.cli;

import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelAccess;
import dev.homeport.client.TunnelSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code homeport tls LOCAL_PORT --hostname NAME}: TLS connections for a server name, passed through unopened. */
@Command(name = "tls", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Exposes a local TLS service (it holds its own certificate) under a server name on the relay's "
                + "public HTTPS port (the relay runs with --https). The relay routes each connection by its SNI and "
                + "never decrypts it: visitors see your service's certificate. Prints tls://NAME:PORT when the tunnel "
                + "is live, then keeps it up, reconnecting whenever the connection drops.",
        footer = {"", "Examples:",
                "  homeport tls 8443 --hostname nas.example.com --server relay.example.com:7700 --token \"$HOMEPORT_TOKEN\"",
                "  homeport tls 443 --hostname vault --allow-cidr 192.0.2.0/24 --server relay.example.com:7700"})
public final class TlsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOCAL_PORT", description = "The local port of the TLS service.")
    int localPort;

    @Option(names = "--hostname", paramLabel = "NAME", required = true,
            description = "Server name (SNI) to serve: a full name (nas.example.com), or a name without a dot (nas), "
                    + "which the relay completes with its --domain. The local service's certificate must cover it.")
    String hostname;

    @Option(names = "--name", paramLabel = "NAME", description = "Tunnel name in logs. Default: tls-LOCAL_PORT.")
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
        TunnelSpec tunnel = TunnelSpec.tls(name == null ? "tls-" + localPort : name, client.localHost(), localPort, hostname)
                .withAccess(new TunnelAccess(false, "", access.allowFrom())).withProxyProtocol(proxyProtocol);
        RelayClientConfig config = client.toConfig(List.of(tunnel));
        return TcpCommand.run(config, client, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
