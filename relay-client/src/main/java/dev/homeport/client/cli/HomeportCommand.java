package dev.homeport.client.cli;

import dev.homeport.cli.CliErrors;
import dev.homeport.cli.CompletionCommand;
import dev.homeport.cli.LogFormat;
import dev.homeport.cli.config.ConfigLauncher;
import dev.homeport.cli.config.ConfigOption;
import dev.homeport.cli.config.ConfigSchema;
import dev.homeport.cli.config.ConfigShape;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Map;
import java.util.Set;

/** {@code homeport}: the client. Each way of exposing a local service is a subcommand. */
@Command(name = "homeport", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Exposes local services through your own Homeport relay, over one outbound connection.",
        subcommands = {TcpCommand.class, HttpCommand.class, TlsCommand.class, JupyterCommand.class, StartCommand.class,
                StatusCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  homeport tcp 8888 --server relay.example.com:7700 --token \"$HOMEPORT_TOKEN\"",
                "  homeport tcp 22 --server relay.example.com:7700 --remote-port 20022",
                "  homeport tcp 22 --server a.example.com:7700,b.example.com:7700   # moves to b if a goes away",
                "  homeport http 8888 --hostname jupyter --server relay.example.com:7700",
                "  homeport tls 8443 --hostname nas.example.com --server relay.example.com:7700",
                "  homeport jupyter --hostname jupyter --server relay.example.com:7700",
                "  homeport start --config homeport.yaml     # every tunnel of the file, one connection",
                "  homeport status                           # from another terminal",
                "  source <(homeport completion bash)"})
public final class HomeportCommand implements Runnable {
    @CommandLine.Mixin
    ConfigOption config = new ConfigOption();

    @CommandLine.Mixin
    LogFormat.Flag logFormat = new LogFormat.Flag();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required, e.g. 'homeport tcp 8888'");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new HomeportCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        CliErrors.install(cl);
        return cl;
    }

    /**
     * The client's config file: the options of {@code homeport start} (which every client command shares)
     * at the top, and the {@code tunnels} list that {@code start} runs.
     */
    public static ConfigShape configShape() {
        return new ConfigShape(
                root -> ConfigSchema.of(root.getSubcommands().get("start").getCommandSpec().options()),
                Map.of(TunnelsSection.KEY, (root, file, entry) -> TunnelsSection.of(root).read(file, entry, "127.0.0.1")),
                command -> Set.of("homeport", "start", "tcp", "http", "tls", "jupyter", "status").contains(command.name()));
    }

    /** Runs the client's command line with its config file. */
    public static int execute(CommandLine cl, String... args) {
        return ConfigLauncher.execute(cl, configShape(), args);
    }

    public static void main(String[] args) {
        System.exit(execute(commandLine(), args));
    }
}
