package dev.homeport.server;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.access.BasicCredentials;
import dev.homeport.server.admin.AdminListener;
import dev.homeport.server.admin.DashboardSource;
import dev.homeport.server.admin.RelayDashboard;
import dev.homeport.server.admission.ConnectionsPerAddress;
import dev.homeport.server.admission.PerTokenCount;
import dev.homeport.server.admission.RecentRefusals;
import dev.homeport.server.auth.HandshakeRateLimiter;
import dev.homeport.server.http.PublicHttpListener;
import dev.homeport.server.https.PublicHttpsListener;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.cluster.ClusterMembership;
import dev.homeport.server.peer.RelayPeers;
import dev.homeport.server.session.ControlChannelInitializer;
import dev.homeport.server.session.ControlContext;
import dev.homeport.server.session.ControlOverHttps;
import dev.homeport.server.session.SessionListener;
import dev.homeport.server.tcp.ForwardedPorts;
import dev.homeport.server.tcp.PublicTcpListener;
import dev.homeport.server.tls.ServerCertificates;
import dev.homeport.server.tls.acme.AcmeCertificates;
import dev.homeport.server.tls.acme.AcmeChallengeType;
import dev.homeport.server.tunnel.HostName;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.Tunnel;
import dev.homeport.server.tunnel.TunnelLifecycle;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A running relay: the control listener where clients connect, the tunnel registry with its public
 * listeners, and the live sessions. {@link #close()} shuts down gracefully.
 */
public final class RelayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);

    private final RelayServerConfig config;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final TunnelRegistry registry;
    private final HostRegistry hosts;
    /** The public HTTP listener, or {@code null} when the relay serves no HTTP tunnels. */
    private Channel httpChannel;
    /** The public HTTPS listener, or {@code null} when the relay serves no HTTPS. */
    private Channel httpsChannel;
    private Channel adminChannel;
    private final PublicTcpListener publicTcp;
    /** Claims in the cluster registry (--etcd); {@code null} for a relay without one. */
    private final ClusterMembership membership;
    /** Other relays of the cluster: forwarding to them, and their links to this one (idle when alone). */
    private final RelayPeers peers;
    /** Listeners on the TCP ports other relays serve; {@code null} without peer links. */
    private volatile ForwardedPorts forwardedPorts;
    private final ConnectionsPerAddress perAddress;
    private final Map<MuxSession, String> sessions = new ConcurrentHashMap<>();
    /** When each live session started and from where, for the admin dashboard. */
    private final Map<MuxSession, DashboardSource.SessionRow> sessionOrigins = new ConcurrentHashMap<>();
    private final Channel controlChannel;
    private final RelayMetrics metrics;
    /** Certificates from an ACME CA for bound host names, or {@code null} without ACME. */
    private AcmeCertificates acme;
    private volatile boolean closed;
    /** What the HTTPS port presents, for the dashboard; {@code null} without HTTPS. */
    private volatile ServerCertificates httpsCertificates;

    private RelayServer(RelayServerConfig config, BasicCredentials adminAuth) throws InterruptedException {
        this.config = config;
        this.metrics = new RelayMetrics(config.meterRegistry(), sessions::keySet, new RecentRefusals(config.recentRefusals()));
        NetTransport transport = NetTransport.best();
        this.acceptors = transport.newGroup(1, "homeport-accept");
        this.workers = transport.newGroup(0, "homeport-io");
        this.perAddress = new ConnectionsPerAddress(config.maxConnectionsPerAddress(), metrics::refusedPerAddressCap);
        this.peers = new RelayPeers(config.cluster(), transport, acceptors, workers, config.protocol(), metrics);
        this.publicTcp = new PublicTcpListener(transport, acceptors, workers, config.bindAddress(), metrics, perAddress,
                peers.forwarding());
        AtomicInteger tunnelIds = new AtomicInteger(1);
        PerTokenCount tunnelsPerToken = new PerTokenCount(config.tenants().maxTunnelsPerToken());
        TunnelLifecycle portLifecycle = new TunnelLifecycle() {
            @Override
            public void bound(Tunnel tunnel) {
                metrics.bound(tunnel);
            }

            @Override
            public void released(Tunnel tunnel) {
                metrics.released(tunnel);
                ForwardedPorts forwarded = forwardedPorts;
                if (forwarded != null) {
                    forwarded.localTunnelGone(tunnel.port()); // the port may be served by another relay now
                }
            }
        };
        this.registry = new TunnelRegistry(config.ports(), config.reconnectGrace(), publicTcp::listen, tunnelIds, portLifecycle,
                tunnelsPerToken, config.tenants().maxPoolMembers());
        this.hosts = new HostRegistry(config.http().domain(), config.reconnectGrace(), tunnelIds, metrics, tunnelsPerToken,
                config.tenants().maxPoolMembers());
        registry.reservations(config.tokens()::reservedBy);
        hosts.reservations(config.tokens()::reservedHostBy);
        this.membership = config.cluster().registry() == null ? null : new ClusterMembership(config.cluster(),
                config.reconnectGrace(), config.tenants().maxPoolMembers(), registry, hosts, config.meterRegistry(),
                sessions::keySet);
        SessionListener tracker = new SessionListener() {
            @Override
            public void started(MuxSession session, String principal) {
                sessions.put(session, principal);
            }

            @Override
            public void started(MuxSession session, String principal, java.net.SocketAddress remote) {
                sessionOrigins.put(session, new DashboardSource.SessionRow(session.id(), principal,
                        remote instanceof InetSocketAddress a ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(remote),
                        System.currentTimeMillis(), 0, 0, 0, 0));
                started(session, principal);
            }

            @Override
            public void ended(MuxSession session) {
                sessions.remove(session);
                sessionOrigins.remove(session);
            }
        };
        config.tokens().onRevoked(this::closeSessionsOf);
        Channel control = null;
        ControlContext controlContext = new ControlContext(config, registry, tracker,
                new HandshakeRateLimiter(config.authFailureBurst(), config.authFailureRefill()), metrics, hosts,
                new PerTokenCount(config.tenants().maxSessionsPerToken()));
        try {
            if (peers.enabled()) {
                // Before the control port: a client's first BIND is claimed in a registry that knows this relay.
                peers.listen(registry, hosts);
                if (membership != null) {
                    membership.register(peers.address());
                }
                ForwardedPorts forwarded = new ForwardedPorts(config.cluster().routes(), publicTcp, port -> registry.route(port) != null);
                publicTcp.beforeListen(forwarded::release);
                this.forwardedPorts = forwarded;
                forwarded.start();
            }
            control = new ServerBootstrap()
                    .group(acceptors, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childHandler(new ControlChannelInitializer(controlContext, transport))
                    .bind(config.control()).sync().channel();
            if (config.acme() != null) {
                this.acme = AcmeCertificates.start(config.acme(), config.http().enabled(), metrics.registry(),
                        config.cluster().registry() == null ? null : config.cluster().registry().certificates());
                // A name a certificate file covers is served from the file: no order (and a TLS-ALPN-01
                // challenge for it could never be seen, the file's certificate would answer first).
                ServerCertificates files = config.https().certificates();
                hosts.orderCertificatesWith(name -> files.forHostname(name) == null ? acme.hostBound(name)
                        : CompletableFuture.completedFuture(true));
                // The relay's own name serves clients' WebSocket sessions on the HTTPS port (ControlOverHttps).
                String own = HostName.canonical(config.publicHost());
                if (config.https().enabled() && isDomainName(own) && files.forHostname(own) == null) {
                    acme.hostBound(own);
                }
            }
            if (config.http().enabled()) {
                this.httpChannel = new PublicHttpListener(transport, acceptors, workers, config.http(), hosts, metrics, perAddress,
                        acme != null && (acme.challenge() == AcmeChallengeType.HTTP_01 || acme.shared()) ? acme.pendingChallenges() : null,
                        peers.forwarding()).listen();
                hosts.serveOn(httpAddress().getPort());
                log.info("event=http_listening address={} domain={} trusted_proxies={}", httpAddress(),
                        config.http().domain().isEmpty() ? "-" : config.http().domain(), config.http().trustedProxies());
            }
            if (config.https().enabled()) {
                ServerCertificates certificates = acme == null ? config.https().certificates()
                        : config.https().withCertificateSource(acme).certificates();
                this.httpsChannel = new PublicHttpsListener(transport, acceptors, workers, config.https(), config.http(), hosts,
                        certificates, metrics, perAddress, new ControlOverHttps(controlContext, transport), peers.forwarding()).listen();
                hosts.serveHttpsOn(httpsAddress().getPort(), name -> certificates.forHostname(name) != null);
                this.httpsCertificates = certificates;
                log.info("event=https_listening address={} certificate_sources={} client_hello_limit={}", httpsAddress(),
                        config.https().certificateSources().size(), config.https().clientHelloLimit());
            }
            if (config.admin() != null) {
                this.adminChannel = AdminListener.bind(transport, acceptors, workers, config.admin(),
                        (PrometheusMeterRegistry) config.meterRegistry(), sessions::size, () -> closed,
                        new RelayDashboard(this::sessionRows, this::tunnels, config.meterRegistry(), () -> httpsCertificates,
                                metrics.recentRefusals()), adminAuth, membership == null ? null : membership::health);
                log.info("event=admin_listening address={} pages=/,/api/tunnels,/api/sessions,/api/refusals,/metrics,/health basic_auth={}",
                        adminAddress(), adminAuth == null ? "-" : adminAuth.user());
            }
        } catch (InterruptedException | RuntimeException e) {
            if (control != null) {
                control.close();
            }
            if (httpChannel != null) {
                httpChannel.close();
            }
            if (httpsChannel != null) {
                httpsChannel.close();
            }
            if (acme != null) {
                acme.close();
            }
            if (forwardedPorts != null) {
                forwardedPorts.close();
            }
            peers.close();
            hosts.close();
            if (membership != null) {
                membership.close();
            }
            shutdownGroups();
            throw e;
        }
        this.controlChannel = control;
        log.info("event=relay_started control={} public_ports={} bind={} transport={} max_connections_per_address={}",
                controlAddress(), config.ports(), config.bindAddress(), transport, config.maxConnectionsPerAddress());
    }

    /** A name a CA can issue for: valid, with a dot, and not an IP literal (whose last label is all digits). */
    private static boolean isDomainName(String name) {
        return HostName.isValid(name) && name.contains(".") && !name.substring(name.lastIndexOf('.') + 1).matches("[0-9]+");
    }

    /** Binds the control port and returns the running relay; throws if the port cannot be bound. */
    public static RelayServer start(RelayServerConfig config) throws InterruptedException {
        return new RelayServer(config, null);
    }

    /** As above, with every page of the admin port behind these credentials (--admin-auth); {@code null}: none. */
    public static RelayServer start(RelayServerConfig config, BasicCredentials adminAuth) throws InterruptedException {
        return new RelayServer(config, adminAuth);
    }

    /** Live sessions with their origin and current counters, for the dashboard. */
    private List<DashboardSource.SessionRow> sessionRows() {
        List<DashboardSource.SessionRow> rows = new ArrayList<>();
        sessionOrigins.forEach((s, o) -> rows.add(new DashboardSource.SessionRow(o.id(), o.principal(), o.remote(), o.sinceMillis(),
                s.openStreams(), s.bytesReceived(), s.bytesSent(), s.rttNanos() / 1e6)));
        return rows;
    }

    public InetSocketAddress controlAddress() {
        return (InetSocketAddress) controlChannel.localAddress();
    }

    public MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    /** Where /metrics and /health are served, or {@code null}. */
    public InetSocketAddress adminAddress() {
        return adminChannel == null ? null : (InetSocketAddress) adminChannel.localAddress();
    }

    /** Where other relays of the cluster dial this one, or {@code null} when it takes no peer links. */
    public InetSocketAddress peerAddress() {
        return peers.address();
    }

    /** The TCP ports this relay listens on for tunnels other relays serve; empty without peer links. */
    public java.util.Set<Integer> forwardedPorts() {
        ForwardedPorts forwarded = forwardedPorts;
        return forwarded == null ? java.util.Set.of() : forwarded.listening();
    }

    /** Where public HTTP connections arrive, or {@code null} when the relay serves no HTTP tunnels. */
    public InetSocketAddress httpAddress() {
        return httpChannel == null ? null : (InetSocketAddress) httpChannel.localAddress();
    }

    /** Where public HTTPS and TLS passthrough connections arrive, or {@code null} without {@code --https}. */
    public InetSocketAddress httpsAddress() {
        return httpsChannel == null ? null : (InetSocketAddress) httpsChannel.localAddress();
    }

    /** The certificates the HTTPS listener presents by SNI host name, from ACME; {@code null} without ACME. */
    public ServerCertificates certificates() {
        return acme;
    }

    /** Public connections open per source address, for status and tests. */
    public ConnectionsPerAddress connectionsPerAddress() {
        return perAddress;
    }

    public RelayServerConfig config() {
        return config;
    }

    private void closeSessionsOf(String principal) {
        sessions.forEach((session, owner) -> {
            if (owner.equals(principal)) {
                log.info("event=session_closed_token_revoked session={} principal={}", session.id(), principal);
                session.close(ErrorCode.AUTH_FAILED, "token " + principal + " was revoked");
            }
        });
    }

    /** Live sessions, for status and tests. */
    public List<MuxSession> sessions() {
        return List.copyOf(sessions.keySet());
    }

    /** Port tunnels, then host-name (HTTP) tunnels. */
    public List<Tunnel> tunnels() {
        return Stream.concat(registry.tunnels().join().stream(), hosts.tunnels().join().stream()).toList();
    }

    /**
     * Graceful shutdown: stop taking clients and public connections, send GO_AWAY to every session,
     * let open streams finish for up to the shutdown grace, then close what is left.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("event=relay_stopping sessions={} grace_ms={}", sessions.size(), config.shutdownGrace().toMillis());
        controlChannel.close().syncUninterruptibly();
        if (httpChannel != null) {
            httpChannel.close().syncUninterruptibly();
        }
        if (httpsChannel != null) {
            httpsChannel.close().syncUninterruptibly();
        }
        if (forwardedPorts != null) {
            forwardedPorts.close();
        }
        peers.drain();
        registry.close();
        hosts.close();
        if (acme != null) {
            acme.close();
        }
        List<Future<Void>> idle = new ArrayList<>();
        for (MuxSession s : sessions.keySet()) {
            s.goAway(ErrorCode.SHUTDOWN, "relay is shutting down");
            idle.add(s.whenIdle());
        }
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        for (Future<Void> f : idle) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        // Finished streams may still be writing to slow public readers; the event loops must outlive that.
        publicTcp.whenConnectionsClosed().awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        for (MuxSession s : sessions.keySet()) {
            // Drained sessions close themselves once the client has said it is drained too.
            s.whenClosed().awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        for (MuxSession s : sessions.keySet()) {
            s.close(ErrorCode.SHUTDOWN, "relay is shutting down");
        }
        peers.close();
        if (membership != null) {
            membership.close(); // this relay's members go at once; their names stay held for their tokens for the grace
        }
        // The admin port stays up while draining: /health says so and /metrics shows the streams left.
        if (adminChannel != null) {
            adminChannel.close().syncUninterruptibly();
        }
        shutdownGroups();
        log.info("event=relay_stopped");
    }

    private void shutdownGroups() {
        Future<?> a = acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        Future<?> w = workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        a.syncUninterruptibly();
        w.syncUninterruptibly();
    }
}
