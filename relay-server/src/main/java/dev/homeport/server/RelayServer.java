package dev.homeport.server;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.auth.HandshakeRateLimiter;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.session.ControlChannelInitializer;
import dev.homeport.server.session.ControlContext;
import dev.homeport.server.session.SessionListener;
import dev.homeport.server.tcp.PublicTcpListener;
import dev.homeport.server.tunnel.Tunnel;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

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
    private final Map<MuxSession, String> sessions = new ConcurrentHashMap<>();
    private final Channel controlChannel;
    private final RelayMetrics metrics;
    private volatile boolean closed;

    private RelayServer(RelayServerConfig config) throws InterruptedException {
        this.config = config;
        this.metrics = new RelayMetrics(config.meterRegistry(), sessions::keySet);
        NetTransport transport = NetTransport.best();
        this.acceptors = transport.newGroup(1, "homeport-accept");
        this.workers = transport.newGroup(0, "homeport-io");
        PublicTcpListener publicTcp = new PublicTcpListener(transport, acceptors, workers, config.bindAddress());
        this.registry = new TunnelRegistry(config.ports(), config.reconnectGrace(), publicTcp::listen);
        SessionListener tracker = new SessionListener() {
            @Override
            public void started(MuxSession session, String principal) {
                sessions.put(session, principal);
            }

            @Override
            public void ended(MuxSession session) {
                sessions.remove(session);
            }
        };
        config.tokens().onRevoked(this::closeSessionsOf);
        try {
            this.controlChannel = new ServerBootstrap()
                    .group(acceptors, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childHandler(new ControlChannelInitializer(new ControlContext(config, registry, tracker,
                            new HandshakeRateLimiter(config.authFailureBurst(), config.authFailureRefill()), metrics), transport))
                    .bind(config.control()).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            shutdownGroups();
            throw e;
        }
        log.info("event=relay_started control={} public_ports={} bind={} transport={}", controlAddress(),
                config.ports(), config.bindAddress(), transport);
    }

    /** Binds the control port and returns the running relay; throws if the port cannot be bound. */
    public static RelayServer start(RelayServerConfig config) throws InterruptedException {
        return new RelayServer(config);
    }

    public InetSocketAddress controlAddress() {
        return (InetSocketAddress) controlChannel.localAddress();
    }

    public MeterRegistry meterRegistry() {
        return metrics.registry();
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

    public List<Tunnel> tunnels() {
        return registry.tunnels().join();
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
        registry.close();
        List<Future<Void>> idle = new ArrayList<>();
        for (MuxSession s : sessions.keySet()) {
            s.goAway(ErrorCode.SHUTDOWN, "relay is shutting down");
            idle.add(s.whenIdle());
        }
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        for (Future<Void> f : idle) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        for (MuxSession s : sessions.keySet()) {
            s.close(ErrorCode.SHUTDOWN, "relay is shutting down");
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
