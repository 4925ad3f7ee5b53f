package dev.homeport.server.cli;

import dev.homeport.cli.CliErrors;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.SettingValues;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.cluster.ClusterTokenStore;
import dev.homeport.server.cluster.PeerRoutes;
import dev.homeport.server.cluster.RegistryUnavailableException;
import dev.homeport.server.admission.TenantLimits;
import dev.homeport.server.process.OutOfMemoryExit;
import dev.homeport.server.auth.AnyOfTokens;
import dev.homeport.server.auth.FileTokenDirectory;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.cli.CompletionCommand;
import dev.homeport.cli.LogFormat;
import dev.homeport.cli.config.ConfigLauncher;
import dev.homeport.cli.config.ConfigOption;
import dev.homeport.cli.config.ConfigSchema;
import dev.homeport.cli.config.ConfigShape;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.homeport.server.tls.RelayCertificate;
import dev.homeport.server.tls.ServerTls;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code homeport-server}: runs a relay. Every option can also come from an environment variable. */
@Command(name = "homeport-server", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        subcommands = {TokenCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class},
        description = "Runs a Homeport relay: clients connect to the control port, and each public TCP port they "
                + "are given forwards its connections, as streams, over the client's one connection.",
        footer = {"", "Examples:",
                "  homeport-server --token \"$(openssl rand -hex 24)\"",
                "  HOMEPORT_TOKEN=... homeport-server --control 0.0.0.0:7700 --ports 20000-20100",
                "  homeport-server token add laptop --ports 20000-20010 && homeport-server",
                "  homeport-server --http 0.0.0.0:80 --domain example.com   # HTTP tunnels at NAME.example.com",
                "  homeport-server --https 0.0.0.0:443 --domain example.com \\",
                "      --https-cert wildcard.pem --https-key wildcard.key  # *.example.com",
                "  homeport-server --http 0.0.0.0:80 --https 0.0.0.0:443 --domain example.com \\",
                "      --acme --acme-email ops@example.com",
                "  homeport-server --config /etc/homeport/homeport-server.yaml --log-format json",
                "  source <(homeport-server completion bash)"})
public final class HomeportServerCommand implements Callable<Integer> {
    @Option(names = "--control", paramLabel = "HOST:PORT", defaultValue = "${env:HOMEPORT_CONTROL:-0.0.0.0:7700}",
            description = "Where clients connect (env HOMEPORT_CONTROL). Default: ${DEFAULT-VALUE}.")
    String control;

    @Option(names = "--ports", paramLabel = "LO-HI", defaultValue = "${env:HOMEPORT_PORTS:-20000-20100}",
            description = "Public ports clients may be given (env HOMEPORT_PORTS). Default: ${DEFAULT-VALUE}.")
    String ports;

    @Option(names = "--bind-address", paramLabel = "HOST", defaultValue = "${env:HOMEPORT_BIND_ADDRESS:-0.0.0.0}",
            description = "Address public ports listen on (env HOMEPORT_BIND_ADDRESS). Default: ${DEFAULT-VALUE}.")
    String bindAddress;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:HOMEPORT_TOKEN}",
            description = "One shared secret clients may prove they hold (env HOMEPORT_TOKEN), for one-person setups; "
                    + "beside or instead of a tokens file. The relay refuses to start with no token at all.")
    String token;

    @Option(names = "--tokens", paramLabel = "FILE", defaultValue = "${env:HOMEPORT_TOKENS}", scope = CommandLine.ScopeType.INHERIT,
            description = "Tokens file managed by 'homeport-server token' (env HOMEPORT_TOKENS). Default: tokens in --state-dir.")
    Path tokensFile;

    @Option(names = "--auth-failure-burst", paramLabel = "N", defaultValue = "10",
            description = "Failed handshakes one address may make before its connections are refused. Default: ${DEFAULT-VALUE}.")
    int authFailureBurst;

    @Option(names = "--auth-failure-refill", paramLabel = "DURATION", defaultValue = "6s",
            description = "After the burst, one more failed handshake allowed per this much time. Default: ${DEFAULT-VALUE}.")
    String authFailureRefill;

    @Option(names = "--public-host", paramLabel = "HOST", defaultValue = "${env:HOMEPORT_PUBLIC_HOST:-}",
            description = "Host name clients print in public addresses (env HOMEPORT_PUBLIC_HOST). Default: the name the client dialed.")
    String publicHost;

    @Option(names = "--reconnect-grace", paramLabel = "DURATION", defaultValue = "${env:HOMEPORT_RECONNECT_GRACE:-60s}",
            description = "How long a disconnected client's ports stay reserved for it. Default: ${DEFAULT-VALUE}.")
    String reconnectGrace;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "${env:HOMEPORT_SHUTDOWN_GRACE:-10s}",
            description = "On SIGTERM, how long open streams may finish before the relay exits. Default: ${DEFAULT-VALUE}.")
    String shutdownGrace;

    @Option(names = "--cert", paramLabel = "FILE", defaultValue = "${env:HOMEPORT_CERT}",
            description = "TLS certificate chain, PEM (env HOMEPORT_CERT). Default: a self-signed one kept in --state-dir.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", defaultValue = "${env:HOMEPORT_KEY}",
            description = "Private key of --cert, PEM (PKCS#8) (env HOMEPORT_KEY).")
    Path key;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${env:HOMEPORT_STATE_DIR}", scope = CommandLine.ScopeType.INHERIT,
            description = "Where the relay keeps its generated certificate (env HOMEPORT_STATE_DIR). "
                    + "Default: $XDG_DATA_HOME/homeport-server or ~/.local/share/homeport-server.")
    Path stateDir;

    @Option(names = "--insecure-plaintext", description = "Serve clients without TLS: tokens stay secret (HMAC), "
            + "but all tunnel traffic crosses the network readable. For tests and trusted networks only.")
    boolean insecurePlaintext;

    @Option(names = "--websocket-path", paramLabel = "PATH", defaultValue = "${env:HOMEPORT_WEBSOCKET_PATH:-/_homeport}",
            description = "Path where clients may connect by WebSocket: on the control port, and with --https on the "
                    + "public HTTPS port too (an upgrade to exactly this path is the relay's, for any name there). "
                    + "Default: ${DEFAULT-VALUE}.")
    String webSocketPath;

    @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = "${env:HOMEPORT_ADMIN:-127.0.0.1:7790}",
            description = "Where /metrics (Prometheus) and /health are served, plain HTTP without auth, so loopback by "
                    + "default (env HOMEPORT_ADMIN); empty turns it off. Default: ${DEFAULT-VALUE}.")
    String admin;

    @Option(names = "--dashboard-refusals", paramLabel = "N", defaultValue = "" + RelayServerConfig.DEFAULT_RECENT_REFUSALS,
            description = "Refused connections and handshakes the admin dashboard lists (time, kind, address, reason), "
                    + "newest first; older ones are dropped, so memory stays flat under a flood. 0 lists none. "
                    + "Default: ${DEFAULT-VALUE}.")
    int dashboardRefusals;

    @Option(names = "--admin-auth", paramLabel = "USER:PASSWORD", defaultValue = "${env:HOMEPORT_ADMIN_AUTH}",
            description = "Ask for this user name and password (HTTP basic auth) on every page of the admin port: the "
                    + "dashboard, /api/*, /metrics, /health. For operators who expose --admin beyond loopback; prefer the "
                    + "env HOMEPORT_ADMIN_AUTH, a command line is visible to other local users. Default: none.")
    String adminAuth;

    @Option(names = "--max-connections-per-address", paramLabel = "N",
            defaultValue = "${env:HOMEPORT_MAX_CONNECTIONS_PER_ADDRESS:-100}",
            description = "Public connections (TCP ports, the HTTP and the HTTPS port together) one source address may hold open "
                    + "at once; more are reset when accepted (env HOMEPORT_MAX_CONNECTIONS_PER_ADDRESS). Default: ${DEFAULT-VALUE}.")
    int maxConnectionsPerAddress;

    @Option(names = "--max-sessions-per-token", paramLabel = "N",
            defaultValue = "${env:HOMEPORT_MAX_SESSIONS_PER_TOKEN:-32}",
            description = "Client sessions one token may hold at once; one more is ended with GO_AWAY SESSION_LIMIT "
                    + "(env HOMEPORT_MAX_SESSIONS_PER_TOKEN). Default: ${DEFAULT-VALUE}.")
    int maxSessionsPerToken;

    @Option(names = "--max-tunnels-per-session", paramLabel = "N",
            defaultValue = "${env:HOMEPORT_MAX_TUNNELS_PER_SESSION:-64}",
            description = "Tunnels (ports and host names) one client session may be granted; more BINDs are refused "
                    + "(env HOMEPORT_MAX_TUNNELS_PER_SESSION). Default: ${DEFAULT-VALUE}.")
    int maxTunnelsPerSession;

    @Option(names = "--max-tunnels-per-token", paramLabel = "N",
            defaultValue = "${env:HOMEPORT_MAX_TUNNELS_PER_TOKEN:-256}",
            description = "Tunnels one token may hold at once over all its sessions, counting those reserved for its "
                    + "reconnect; more BINDs are refused (env HOMEPORT_MAX_TUNNELS_PER_TOKEN). Default: ${DEFAULT-VALUE}.")
    int maxTunnelsPerToken;

    @Option(names = "--max-pool-members", paramLabel = "N",
            defaultValue = "${env:HOMEPORT_MAX_POOL_MEMBERS:-8}",
            description = "Clients of one token that may serve one port or host name together (homeport --pool); one "
                    + "more is refused (env HOMEPORT_MAX_POOL_MEMBERS). Default: ${DEFAULT-VALUE}.")
    int maxPoolMembers;

    @CommandLine.Mixin
    SessionLimitOptions limits = new SessionLimitOptions();

    @CommandLine.Mixin
    ConfigOption config = new ConfigOption();

    @CommandLine.Mixin
    LogFormat.Flag logFormat = new LogFormat.Flag();

    @CommandLine.Mixin
    HttpOptions http = new HttpOptions();

    @CommandLine.Mixin
    HttpsOptions https = new HttpsOptions();

    @CommandLine.Mixin
    AcmeOptions acme = new AcmeOptions();

    @CommandLine.Mixin
    PeerOptions peer = new PeerOptions();

    @CommandLine.Mixin
    RegistryCliOptions cluster = new RegistryCliOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** With --etcd: where the relay's tokens come from; closed at shutdown. */
    private ClusterTokenStore clusterTokens;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // Every setting is checked before anything is written to disk (the certificate) or bound.
        RelayServerConfig config = new RelayServerConfig(
                parseHostPort(control, "--control"),
                bindAddress,
                PortRange.parse(ports),
                publicHost,
                tokens(),
                SettingValues.duration(reconnectGrace, "--reconnect-grace"),
                SettingValues.duration(shutdownGrace, "--shutdown-grace"),
                limits.toSettings(),
                null,
                webSocketPath,
                authFailureBurst,
                SettingValues.duration(authFailureRefill, "--auth-failure-refill"),
                null,
                http.toSettings(https.enabled()),
                null,
                https.toSettings(),
                null,
                maxConnectionsPerAddress,
                new TenantLimits(maxSessionsPerToken, maxTunnelsPerSession, maxTunnelsPerToken, maxPoolMembers),
                dashboardRefusals,
                null);
        if (!admin.isEmpty()) {
            config = config.withAdmin(parseHostPort(admin, "--admin"));
        }
        config = config.withCluster(peer.toSettings(PeerRoutes.NONE));
        config = config.withAcme(acme.toSettings(stateDir(), config.http()));
        if (config.acme() != null && !config.https().enabled()) {
            throw new IllegalArgumentException("--acme needs --https HOST:PORT: the certificates it gets are served there "
                    + "(port 443 from outside)");
        }
        if (insecurePlaintext) {
            // A log line, not a bare print, so that --log-format json keeps stderr all JSON.
            LoggerFactory.getLogger(HomeportServerCommand.class).warn("event=insecure_plaintext "
                    + "detail=\"tunnel traffic to and from clients is not encrypted\"");
        } else {
            RelayCertificate certificate = certificate();
            config = config.withTls(ServerTls.context(certificate));
            out.println("TLS certificate " + certificate.certificateFile() + (certificate.generated() ? " (self-signed)" : "")
                    + ", fingerprint " + certificate.fingerprint() + " (" + ServerTls.provider() + ")");
        }
        dev.homeport.server.access.BasicCredentials adminCredentials;
        try {
            adminCredentials = adminAuth == null || adminAuth.isEmpty() ? null
                    : dev.homeport.server.access.BasicCredentials.parse(adminAuth);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--admin-auth: " + e.getMessage(), e);
        }
        if (cluster.enabled()) {
            // Last before the start: joining registers this relay in etcd, where the other relays see it at once.
            config = config.withCluster(cluster.join(config.cluster(), config.acme() != null));
        }
        RelayServer server;
        try {
            server = RelayServer.start(config, adminCredentials);
        } catch (Exception e) {
            // With epoll a taken port is a NativeIoException, not a BindException: match both, and name
            // every address the relay was binding, since the exception does not say which one failed.
            if (e instanceof BindException || String.valueOf(e.getMessage()).contains("Address already in use")) {
                throw new IllegalStateException("cannot listen on " + listenAddresses(config) + ": address already in use "
                        + "(another relay running?)");
            }
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (clusterTokens != null) {
                clusterTokens.close();
            }
            stopped.countDown();
        }, "homeport-shutdown"));
        out.println("homeport relay listening on " + server.controlAddress() + ", public ports " + config.ports()
                + (server.httpAddress() == null ? "" : ", HTTP tunnels on " + server.httpAddress()
                + (config.http().domain().isEmpty() ? "" : " for *." + config.http().domain()))
                + (server.httpsAddress() == null ? "" : ", HTTPS and TLS tunnels on " + server.httpsAddress())
                + (server.adminAddress() == null ? "" : ", metrics on http://" + hostPort(server.adminAddress()) + "/metrics")
                + (config.acme() == null ? "" : ", ACME certificates from " + config.acme().directory()));
        out.flush();
        stopped.await();
        return 0;
    }

    private static String listenAddresses(RelayServerConfig config) {
        List<String> all = new ArrayList<>();
        all.add("control " + hostPort(config.control()));
        if (config.http().enabled()) {
            all.add("http " + hostPort(config.http().listen()));
        }
        if (config.https().enabled()) {
            all.add("https " + hostPort(config.https().listen()));
        }
        if (config.admin() != null) {
            all.add("admin " + hostPort(config.admin()));
        }
        return String.join(", ", all);
    }

    private TokenDirectory tokens() throws IOException, RegistryUnavailableException {
        List<TokenDirectory> directories = new ArrayList<>();
        if (token != null && !token.isBlank()) {
            directories.add(new SingleToken(token));
        }
        if (cluster.enabled()) {
            // A cluster's tokens live in etcd, so that a revoke on any host reaches every relay; the file is not read.
            clusterTokens = cluster.openTokens();
            directories.add(clusterTokens.directory());
            return new AnyOfTokens(directories);
        }
        TokenFile file = new TokenFile(tokensFile != null ? tokensFile : stateDir().resolve("tokens"));
        if (tokensFile != null || java.nio.file.Files.exists(file.path())) {
            FileTokenDirectory fromFile = new FileTokenDirectory(file);
            if (fromFile.size() > 0 || tokensFile != null) {
                directories.add(fromFile);
            }
        }
        return new AnyOfTokens(directories);
    }

    Path stateDir() {
        return stateDir != null ? stateDir : defaultStateDir();
    }

    private RelayCertificate certificate() throws IOException {
        if (cert != null || key != null) {
            if (cert == null || key == null) {
                throw new IllegalArgumentException("--cert and --key go together");
            }
            return RelayCertificate.fromFiles(cert, key);
        }
        Path dir = stateDir();
        List<String> names = new ArrayList<>();
        if (!publicHost.isEmpty()) {
            names.add(publicHost);
        }
        names.add("localhost");
        names.add("127.0.0.1");
        return RelayCertificate.selfSigned(dir, names);
    }

    static Path defaultStateDir() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("homeport-server");
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    static InetSocketAddress parseHostPort(String text, String option) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(option + " must be HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be HOST:PORT with a numeric port, got '" + text + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(option + " port must be 0-65535, got " + port);
        }
        return new InetSocketAddress(host, port);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new HomeportServerCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        CliErrors.install(cl);
        return cl;
    }

    /** The relay's config file: every option of homeport-server as a top-level key. */
    public static ConfigShape configShape() {
        return new ConfigShape(root -> ConfigSchema.of(root.getCommandSpec().options()), Map.of(),
                command -> command.name().equals("homeport-server"));
    }

    /** Runs the relay's command line with its config file. */
    public static int execute(CommandLine cl, String... args) {
        return ConfigLauncher.execute(cl, configShape(), args);
    }

    public static void main(String[] args) {
        OutOfMemoryExit.install();
        System.exit(execute(commandLine(), args));
    }
}
