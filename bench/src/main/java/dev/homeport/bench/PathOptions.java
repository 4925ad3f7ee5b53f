package dev.homeport.bench;

import picocli.CommandLine.Option;

/** Options every client measurement shares: where the path starts and how long it may take. */
final class PathOptions {

    @Option(names = "--target", required = true, paramLabel = "HOST:PORT",
            description = "Entry of the TCP path under test (serve directly, or a tunnel's public port).")
    Target target;

    @Option(names = "--max-seconds", defaultValue = "60",
            description = "Hard time bound; the run stops itself and reports status=timeout (default: ${DEFAULT-VALUE}).")
    long maxSeconds;

    @Option(names = "--connect-timeout-ms", defaultValue = "5000", description = "Per connection (default: ${DEFAULT-VALUE}).")
    int connectTimeoutMillis;
}
