package dev.homeport.server;

import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.server.admission.ConnectionsPerAddress;
import dev.homeport.server.admission.TenantLimits;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.cluster.ClusterSettings;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.server.tls.acme.AcmeSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a relay needs to start, validated once.
 *
 * @param control        where clients connect
 * @param bindAddress    the address public ports listen on
 * @param ports          the public ports clients may be given
 * @param publicHost     the host name clients print in their public address; empty: the name they dialed
 * @param tokens         which tokens are accepted
 * @param reconnectGrace how long a disconnected client's ports stay reserved for it
 * @param shutdownGrace  how long open streams may run on after a graceful shutdown begins
 * @param protocol       the session limits
 * @param tls            TLS for the control port, or {@code null} for plaintext (an explicit choice)
 * @param webSocketPath  the path on the control port where clients may connect by WebSocket
 * @param authFailureBurst  failed handshakes an address may make before it is throttled
 * @param authFailureRefill after the burst, one more failure allowed per this much time
 * @param meterRegistry  where the relay's metrics go
 * @param http           the public HTTP listener for HTTP tunnels by host name; {@link HttpSettings#OFF} by default
 * @param admin          where /metrics and /health are served, or {@code null} for nowhere; needs a
 *                       Prometheus {@code meterRegistry} (see {@link #withAdmin})
 * @param https          the public HTTPS listener (HTTP tunnels over TLS, TLS passthrough); {@link HttpsSettings#OFF} by default
 * @param acme           certificates for HTTPS host names from an ACME CA, or {@code null} for none
 * @param maxConnectionsPerAddress public connections (TCP, HTTP and HTTPS listeners together) one source
 *                       address may hold open at once; more are reset at accept
 * @param tenants        sessions and tunnels one token, and one session of it, may hold
 * @param recentRefusals refusals the dashboard keeps
 * @param cluster        how the relay takes part in a cluster; {@link ClusterSettings#ALONE} by default
 */
public record RelayServerConfig(
        InetSocketAddress control,
        String bindAddress,
        PortRange ports,
        String publicHost,
        TokenDirectory tokens,
        Duration reconnectGrace,
        Duration shutdownGrace,
        ProtocolSettings protocol,
        SslContext tls,
        String webSocketPath,
        int authFailureBurst,
        Duration authFailureRefill,
        MeterRegistry meterRegistry,
        HttpSettings http,
        InetSocketAddress admin,
        HttpsSettings https,
        AcmeSettings acme,
        int maxConnectionsPerAddress,
        TenantLimits tenants,
        int recentRefusals,
        ClusterSettings cluster) {

    public static final String DEFAULT_WEBSOCKET_PATH = "/_homeport";
    public static final int DEFAULT_AUTH_FAILURE_BURST = 10;
    public static final Duration DEFAULT_AUTH_FAILURE_REFILL = Duration.ofSeconds(6);
    public static final Duration DEFAULT_RECONNECT_GRACE = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    /** Refusals the admin dashboard lists, newest first; older ones are dropped (--dashboard-refusals). */
    public static final int DEFAULT_RECENT_REFUSALS = 100;
    public static final int MAX_RECENT_REFUSALS = 10_000;

    public RelayServerConfig {
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(protocol, "protocol");
        publicHost = publicHost == null ? "" : publicHost;
        webSocketPath = webSocketPath == null ? DEFAULT_WEBSOCKET_PATH : webSocketPath;
        meterRegistry = meterRegistry == null ? new SimpleMeterRegistry() : meterRegistry;
        http = http == null ? HttpSettings.OFF : http;
        https = https == null ? HttpsSettings.OFF : https;
        tenants = tenants == null ? TenantLimits.DEFAULTS : tenants;
        cluster = cluster == null ? ClusterSettings.ALONE : cluster;
        if (admin != null && !(meterRegistry instanceof PrometheusMeterRegistry)) {
            throw new IllegalArgumentException("the admin endpoint serves Prometheus metrics: use withAdmin(...)");
        }
        if (maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("maxConnectionsPerAddress must be at least 1, got " + maxConnectionsPerAddress);
        }
        if (recentRefusals < 0 || recentRefusals > MAX_RECENT_REFUSALS) {
            throw new IllegalArgumentException("recentRefusals must be 0-" + MAX_RECENT_REFUSALS + ", got " + recentRefusals);
        }
        if (authFailureBurst < 1) {
            throw new IllegalArgumentException("authFailureBurst must be at least 1, got " + authFailureBurst);
        }
        if (authFailureRefill == null || authFailureRefill.isNegative() || authFailureRefill.isZero()) {
            throw new IllegalArgumentException("authFailureRefill must be positive, got " + authFailureRefill);
        }
        if (!webSocketPath.startsWith("/")) {
            throw new IllegalArgumentException("webSocketPath must start with '/', got '" + webSocketPath + "'");
        }
        if (reconnectGrace == null || reconnectGrace.isNegative()) {
            throw new IllegalArgumentException("reconnectGrace must be zero or positive, got " + reconnectGrace);
        }
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must be zero or positive, got " + shutdownGrace);
        }
    }

    public static RelayServerConfig of(InetSocketAddress control, String bindAddress, PortRange ports, TokenDirectory tokens) {
        return new RelayServerConfig(control, bindAddress, ports, "", tokens, DEFAULT_RECONNECT_GRACE,
                DEFAULT_SHUTDOWN_GRACE, ProtocolSettings.defaults(), null, DEFAULT_WEBSOCKET_PATH,
                DEFAULT_AUTH_FAILURE_BURST, DEFAULT_AUTH_FAILURE_REFILL, null, HttpSettings.OFF, null, HttpsSettings.OFF, null,
                ConnectionsPerAddress.DEFAULT_MAX, null, DEFAULT_RECENT_REFUSALS, ClusterSettings.ALONE);
    }

    public RelayServerConfig withReconnectGrace(Duration grace) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, grace, shutdownGrace, protocol, tls, webSocketPath,
                authFailureBurst, authFailureRefill, meterRegistry, http, admin, https, acme, maxConnectionsPerAddress, tenants, recentRefusals, cluster);
    }

    public RelayServerConfig withShutdownGrace(Duration grace) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, grace, protocol, tls, webSocketPath,
                authFailureBurst, authFailureRefill, meterRegistry, http, admin, https, acme, maxConnectionsPerAddress, tenants, recentRefusals, cluster);
    }

    public RelayServerConfig withProtocol(ProtocolSettings settings) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, settings, tls, webSocketPath,
                authFailureBurst, authFailureRefill, meterRegistry, http, admin, https, acme, maxConnectionsPerAddress, tenants, recentRefusals, cluster);
    }

    public RelayServerConfig withTls(SslContext context) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, protocol,
                context, webSocketPath,
                authFailureBurst, authFailureRefill, meterRegistry, http, admin, https, acme, maxConnectionsPerAddress, tenants, recentRefusals, cluster);
    }

    public RelayServerConfig withAuthFailureLimit(int burst, Duration refill) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, protocol,
                tls, webSocketPath, burst, refill, meterRegistry, http, admin, https, acme, maxConnectionsPerAddress, tenants, recentRefusals, cluster);
    }

    public RelayServerConfig withMeterRegistry(MeterRegistry registry) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, protocol,
                tls, webSocketPath, authFailureBurst, authFailureRefill, registry, http, admin, https, acme, maxConnectionsPerAddress, tenants, recentRefusals, cluster);
    }

    public RelayServerConfig withHttp(HttpSettings settings) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, protocol,
                tls, webSocketPath, authFailureBurst, authFailureRefill, meterRegistry, settings, admin, https, acme, maxConnectionsPerAddress, tenants, recentRefusals, cluster);
    }

    /** Serves /metrics (Prometheus) and /health on {@code address}, with a Prometheus registry for the relay. */
    public RelayServerConfig withAdmin(InetSocketAddress address) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, protocol,
                tls, webSocketPath, authFailureBurst, authFailureRefill, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                http, address, https, acme, maxConnectionsPerAddress, tenants, recentRefusals, cluster);
    }

    public RelayServerConfig withHttps(HttpsSettings settings) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, protocol,
                tls, webSocketPath, authFailureBurst, authFailureRefill, meterRegistry, http, admin, settings, acme,
                maxConnectionsPerAddress, tenants, recentRefusals, cluster);
    }

    public RelayServerConfig withPublicHost(String host) {
        return new RelayServerConfig(control, bindAddress, ports, host, tokens, reconnectGrace, shutdownGrace, protocol, tls, webSocketPath,
                authFailureBurst, authFailureRefill, meterRegistry, http, admin, https, acme, maxConnectionsPerAddress, tenants, recentRefusals, cluster);
    }

    /** Certificates for the host names clients bind, from an ACME CA; {@code null}: none. */
    public RelayServerConfig withAcme(AcmeSettings settings) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, protocol,
                tls, webSocketPath, authFailureBurst, authFailureRefill, meterRegistry, http, admin, https, settings,
                maxConnectionsPerAddress, tenants, recentRefusals, cluster);
    }

    public RelayServerConfig withMaxConnectionsPerAddress(int max) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, protocol,
                tls, webSocketPath, authFailureBurst, authFailureRefill, meterRegistry, http, admin, https, acme, max, tenants, recentRefusals, cluster);
    }

    public RelayServerConfig withTenantLimits(TenantLimits limits) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, protocol,
                tls, webSocketPath, authFailureBurst, authFailureRefill, meterRegistry, http, admin, https, acme,
                maxConnectionsPerAddress, limits, recentRefusals, cluster);
    }

    /** How many recent refusals the dashboard keeps (0: none). */
    public RelayServerConfig withRecentRefusals(int count) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, protocol,
                tls, webSocketPath, authFailureBurst, authFailureRefill, meterRegistry, http, admin, https, acme,
                maxConnectionsPerAddress, tenants, count, cluster);
    }

    /** Takes part in a cluster (docs/cluster.md); {@link ClusterSettings#ALONE}: one relay. */
    public RelayServerConfig withCluster(ClusterSettings settings) {
        return new RelayServerConfig(control, bindAddress, ports, publicHost, tokens, reconnectGrace, shutdownGrace, protocol,
                tls, webSocketPath, authFailureBurst, authFailureRefill, meterRegistry, http, admin, https, acme,
                maxConnectionsPerAddress, tenants, recentRefusals, settings);
    }
}
