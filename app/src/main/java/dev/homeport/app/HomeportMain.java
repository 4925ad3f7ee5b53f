package dev.homeport.app;

import dev.homeport.client.cli.HomeportCommand;
import picocli.CommandLine;

/** Entry point of {@code ./homeport}: the client's commands, plus {@code demo}. */
public final class HomeportMain {
    private HomeportMain() {
    }

    public static CommandLine commandLine() {
        CommandLine cl = HomeportCommand.commandLine();
        cl.addSubcommand("demo", new DemoCommand());
        return cl;
    }

    public static void main(String[] args) {
        System.exit(HomeportCommand.execute(commandLine(), args));
    }
}
