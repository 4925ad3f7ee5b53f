package dev.homeport.client.cli;

import dev.homeport.client.status.ClientStatus;
import dev.homeport.client.status.StatusFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code homeport status}: what the clients running on this machine (for this user) are doing. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Shows every client running for this user: its relay, tunnels, open streams, bytes per second "
                + "in and out, and round-trip time, as its own status line shows them. Exit code 3 when no client runs.",
        footer = {"", "Examples:",
                "  homeport status",
                "  watch -n1 homeport status",
                "  homeport status --state-dir /var/lib/homeport    # a client started with that --state-dir"})
public final class StatusCommand implements Callable<Integer> {
    /** Exit code when no client is running: not an error, but scripts can tell. */
    static final int NONE_RUNNING = 3;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${env:HOMEPORT_STATE_DIR}",
            description = "Where clients publish their status, as given to them (env HOMEPORT_STATE_DIR). "
                    + "Default: $XDG_STATE_HOME/homeport or ~/.local/state/homeport.")
    Path stateDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StatusFiles files = new StatusFiles(stateDir != null ? stateDir : StatusFiles.defaultStateDir());
        List<ClientStatus> running = files.running();
        PrintWriter out = spec.commandLine().getOut();
        if (running.isEmpty()) {
            spec.commandLine().getErr().println("homeport status: no client running (no live status in " + files.directory() + ")");
            spec.commandLine().getErr().flush();
            return NONE_RUNNING;
        }
        for (ClientStatus s : running) {
            s.report().forEach(out::println);
        }
        out.flush();
        return 0;
    }
}
