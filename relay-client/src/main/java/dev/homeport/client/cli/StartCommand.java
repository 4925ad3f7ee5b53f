package dev.homeport.client.cli;

import dev.homeport.cli.config.ConfigFile;
import dev.homeport.cli.config.YamlDefaults;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.inspect.Inspector;
import dev.homeport.client.session.LocalStreamTap;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code homeport start}: every tunnel of the config file, over one connection to the relay. */
@Command(name = "start", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Runs every tunnel listed under 'tunnels:' in the config file, all over one connection to the "
                + "relay. Prints each public address when it is live, then keeps them up, reconnecting whenever the "
                + "connection drops. Options given here override the file. HTTP and TLS tunnels share one request "
                + "inspector, whose address is printed after each of their addresses.",
        footer = {"", "Examples:",
                "  homeport start --config ~/.config/homeport/homeport.yaml",
                "  HOMEPORT_CONFIG=homeport.yaml homeport start --server relay2.example.com:7700"})
public final class StartCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ClientOptions client = new ClientOptions();

    @CommandLine.Mixin
    InspectOptions inspect = new InspectOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!(spec.defaultValueProvider() instanceof YamlDefaults defaults)) {
            throw new IllegalArgumentException("start runs the tunnels of a config file: give --config FILE or set HOMEPORT_CONFIG");
        }
        ConfigFile file = defaults.file();
        ConfigFile.Entry section = file.entries().get(TunnelsSection.KEY);
        if (section == null) {
            throw new IllegalArgumentException(file.name() + " lists no tunnels: add a 'tunnels:' list, e.g. "
                    + "'tunnels: [{type: tcp, local_port: 8888}]'");
        }
        List<TunnelSpec> tunnels = TunnelsSection.of(spec.root().commandLine()).read(file, section, client.localHost());
        RelayClientConfig config = client.toConfig(tunnels);
        // One inspector for the whole client, when a tunnel has something to show: HTTP requests, TLS connections.
        Inspector inspector = tunnels.stream().anyMatch(t -> t.kind() != TunnelSpec.Kind.TCP)
                ? inspect.start(config.tunnels(), config.connectTimeout()) : null;
        PrintWriter out = spec.commandLine().getOut();
        try {
            return TcpCommand.run(config, client, new ClientEvents() {
                @Override
                public void tunnelBound(TunnelSpec t, String publicAddress, boolean first) {
                    if (first) {
                        out.println(publicAddress);
                        if (inspector != null && t.kind() != TunnelSpec.Kind.TCP) {
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
