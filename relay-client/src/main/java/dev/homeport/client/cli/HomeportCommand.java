package dev.homeport.client.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code homeport}: the client. Each way of exposing a local service is a subcommand. */
@Command(name = "homeport", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Exposes local services through your own Homeport relay, over one outbound connection.",
        subcommands = {TcpCommand.class, HttpCommand.class, TlsCommand.class, JupyterCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  homeport tcp 8888 --server relay.example.com:7700 --token \"$HOMEPORT_TOKEN\"",
                "  homeport tcp 22 --server relay.example.com:7700 --remote-port 20022",
                "  homeport http 8888 --hostname jupyter --server relay.example.com:7700",
                "  homeport tls 8443 --hostname nas.example.com --server relay.example.com:7700",
                "  homeport jupyter --hostname jupyter --server relay.example.com:7700"})
public final class HomeportCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required, e.g. 'homeport tcp 8888'");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new HomeportCommand());
        CliErrors.install(cl);
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
