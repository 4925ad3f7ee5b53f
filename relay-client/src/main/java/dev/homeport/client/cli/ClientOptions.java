package dev.homeport.client.cli;

import dev.homeport.client.Backoff;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.SettingValues;
import dev.homeport.client.transport.ClientTls;
import dev.homeport.client.transport.ClientTransport;
import dev.homeport.client.transport.KnownRelays;
import dev.homeport.client.transport.RelayAddress;
import dev.homeport.client.transport.RelayHost;
import dev.homeport.client.transport.RelayList;
import dev.homeport.client.transport.RelayTrust;
import dev.homeport.protocol.transport.CertificateFingerprint;
import dev.homeport.client.status.StatusFiles;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** Connection settings every client command shares; unset limits keep ProtocolSettings' defaults. */
public final class ClientOptions {
    private static final Logger log = LoggerFactory.getLogger(ClientOptions.class);

    @Option(names = "--server", paramLabel = "RELAY[,RELAY...]", defaultValue = "${env:HOMEPORT_SERVER}", required = true,
            description = "The relay: HOST:PORT (TLS), wss://HOST/PATH (WebSocket, honours HTTPS_PROXY), or "
                    + "tcp://HOST:PORT with --insecure-plaintext (env HOMEPORT_SERVER). A comma list (A:7700,B:7700), or a "
                    + "name with several addresses, gives several relays of one scheme: the client starts at a random one "
                    + "and moves to the next at once when its session is lost, asking for the same ports and names.")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:HOMEPORT_TOKEN}", required = true,
            description = "The relay's token (env HOMEPORT_TOKEN). Proven with HMAC; never sent.")
    String token;

    @Option(names = "--local-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Host of the local service. Default: ${DEFAULT-VALUE}.")
    String localHost;

    @Option(names = "--initial-window", paramLabel = "SIZE", description = "Receive window of a new stream. Default: 512KiB.")
    String initialWindow;

    @Option(names = "--max-window", paramLabel = "SIZE", description = "Ceiling of a stream's auto-tuned window. Default: 16MiB.")
    String maxWindow;

    @Option(names = "--ping-interval", paramLabel = "DURATION", description = "Keep-alive PING interval. Default: 10s.")
    String pingInterval;

    @Option(names = "--keepalive-timeout", paramLabel = "DURATION",
            description = "A relay silent this long is dead and the client reconnects. Default: 30s.")
    String keepAliveTimeout;

    @Option(names = "--target-queue-delay", paramLabel = "DURATION",
            description = "Queueing delay the stream windows are steered toward (or a tenth of the round trip, if more), so "
                    + "that bulk bytes do not queue where interactive streams wait behind them; 0 turns it off. Default: 1ms.")
    String targetQueueDelay;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "Limit for one TCP connect, to the relay or the local service. Default: ${DEFAULT-VALUE}.")
    String connectTimeout;

    @Option(names = "--max-backoff", paramLabel = "DURATION", defaultValue = "30s",
            description = "Longest wait between reconnect attempts (they start at 100ms). Default: ${DEFAULT-VALUE}.")
    String maxBackoff;

    @Option(names = "--insecure-plaintext", description = "Connect without TLS (tcp:// or ws:// relays). The token stays "
            + "secret (HMAC) but tunnel traffic crosses the network readable. For tests and trusted networks only.")
    boolean insecurePlaintext;

    @Option(names = "--fingerprint", paramLabel = "SHA256:...", defaultValue = "${env:HOMEPORT_FINGERPRINT}",
            description = "Accept only a relay certificate with this fingerprint, as homeport-server prints it "
                    + "(env HOMEPORT_FINGERPRINT).")
    String fingerprint;

    @Option(names = "--known-relays", paramLabel = "FILE",
            description = "Trust-on-first-use record of relay certificates. Default: $XDG_CONFIG_HOME/homeport/known_relays "
                    + "or ~/.config/homeport/known_relays.")
    Path knownRelays;

    @Option(names = "--pool", description = "Serve the port or host name together with the other clients of the same "
            + "token that also run with --pool (up to the relay's --max-pool-members): the relay spreads new public "
            + "connections over them in turn, and one client's exit loses only its own connections. Without --pool, a "
            + "port or name another client of the token serves is refused, and this client exits.")
    boolean pool;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${env:HOMEPORT_STATE_DIR}",
            description = "Where the running client publishes its status for 'homeport status' (env HOMEPORT_STATE_DIR). "
                    + "Default: $XDG_STATE_HOME/homeport or ~/.local/state/homeport.")
    Path stateDir;

    /** The directory of status files, as 'homeport status' looks for them. */
    public Path stateDir() {
        return stateDir != null ? stateDir : StatusFiles.defaultStateDir();
    }

    /** Where the local service listens; the client dials nothing else. */
    public String localHost() {
        return localHost;
    }

    public RelayClientConfig toConfig(List<TunnelSpec> tunnels) {
        ProtocolSettings d = ProtocolSettings.defaults();
        ProtocolSettings settings = d
                .withWindows(initialWindow == null ? d.initialStreamWindow() : SettingValues.intBytes(initialWindow, "--initial-window"),
                        maxWindow == null ? d.maxStreamWindow() : SettingValues.intBytes(maxWindow, "--max-window"),
                        d.sessionWindow())
                .withKeepAlive(pingInterval == null ? d.pingInterval() : SettingValues.duration(pingInterval, "--ping-interval"),
                        keepAliveTimeout == null ? d.keepAliveTimeout() : SettingValues.duration(keepAliveTimeout, "--keepalive-timeout"))
                .withTargetQueueDelay(targetQueueDelay == null ? d.targetQueueDelay()
                        : SettingValues.duration(targetQueueDelay, "--target-queue-delay"));
        RelayList relays = RelayList.parse(server);
        List<TunnelSpec> asked = pool ? tunnels.stream().map(t -> t.withPool(true)).toList() : tunnels;
        return new RelayClientConfig(relays.hosts(), token, asked, settings,
                new Backoff(Duration.ofMillis(100), SettingValues.duration(maxBackoff, "--max-backoff")),
                SettingValues.duration(connectTimeout, "--connect-timeout"), Duration.ofSeconds(5), transport(relays));
    }

    /** One transport for every relay of the list: they share the scheme, the certificate checks and the proxy. */
    private ClientTransport transport(RelayList relays) {
        RelayAddress relay = relays.first();
        boolean plaintext = relay.plaintext() || insecurePlaintext;
        if (relay.plaintext() && !insecurePlaintext) {
            throw new IllegalArgumentException("--server " + relay.scheme() + "://... is unencrypted; add "
                    + "--insecure-plaintext to use it anyway");
        }
        SslContext tls = null;
        if (plaintext) {
            // A log line, not a bare print, so that --log-format json keeps stderr all JSON.
            log.warn("event=insecure_plaintext relay={} detail=\"tunnel traffic to the relay is not encrypted\"",
                    String.join(",", relays.hosts().stream().map(RelayHost::hostPort).toList()));
        } else {
            String pinned = fingerprint == null || fingerprint.isBlank() ? null : CertificateFingerprint.normalize(fingerprint);
            RelayTrust trust = new RelayTrust(relay.hostPort(), pinned,
                    new KnownRelays(knownRelays != null ? knownRelays : KnownRelays.defaultFile()));
            try {
                tls = ClientTls.context(trust);
            } catch (SSLException e) {
                throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
            }
        }
        InetSocketAddress proxy = relay.webSocket() ? ClientTransport.proxyFromEnvironment(relay.host()) : null;
        for (RelayAddress other : relays.relays()) {
            InetSocketAddress otherProxy = other.webSocket() ? ClientTransport.proxyFromEnvironment(other.host()) : null;
            if (!Objects.equals(proxy, otherProxy)) {
                throw new IllegalArgumentException("--server lists " + relay.hostPort() + " and " + other.hostPort()
                        + ", but NO_PROXY exempts only one of them from HTTPS_PROXY: every relay in the list must take the same way");
            }
        }
        return new ClientTransport(tls, relay.webSocket() ? relay.path() : null, proxy);
    }
}
