package dev.homeport.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the far end of every measurement until killed (or --lifetime-seconds); see {@link FarEndMode}. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the far-end server: first byte E = echo, S = sink (replies the 8-byte count at"
                + " half-close), G + 8-byte length = generate that many bytes. See README.md.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", required = true, description = "Port to listen on (0 = any free port).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--threads", defaultValue = "0", description = "Event loop threads (0 = one per core).")
    int threads;

    @Option(names = "--lifetime-seconds", defaultValue = "0",
            description = "Exit by itself after this long; 0 = run until killed (default: ${DEFAULT-VALUE}).")
    long lifetimeSeconds;

    @Override
    public Integer call() throws InterruptedException {
        int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        try (FarEndServer server = FarEndServer.start(bind, port, loops)) {
            System.out.printf("serve listening=%s:%d transport=%s threads=%d pid=%d%n", bind, server.port(),
                    server.transportName(), loops, ProcessHandle.current().pid());
            System.out.flush();
            server.awaitClose(lifetimeSeconds);
        }
        return 0;
    }
}
