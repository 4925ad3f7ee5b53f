package dev.homeport.client;

import dev.homeport.cli.Printable;
import dev.homeport.client.memory.RememberedHosts;
import dev.homeport.client.memory.RememberedPorts;
import dev.homeport.client.session.ClientChannelInitializer;
import dev.homeport.client.session.LocalStreamTap;
import dev.homeport.client.session.FarEndAnswer;
import dev.homeport.client.session.SessionObserver;
import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.transport.NetTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.resolver.NoopAddressResolverGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A running client: one connection to a relay at a time, re-established forever, each time asking
 * again for the same public ports and names under the same instance. With several relays it moves to
 * the next one at once when a session is lost or a connect fails ({@link RelayFailover}), and waits out
 * the backoff only when every relay failed in a round. The relay refusing the token, or a tunnel, is
 * final and reported through {@link ClientEvents#fatal}.
 *
 * <p>Everything runs on one event loop, the session's and every local socket's, so stream bytes
 * never change threads inside the client.
 */
public final class RelayClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayClient.class);

    private final RelayClientConfig config;
    private final ClientEvents events;
    private final EventLoopGroup group;
    private final EventLoop loop;
    /** Without a handler: each connect adds one for the relay it dials. */
    private final Bootstrap bootstrap;
    private final NetTransport transport;
    private final SessionObserver observer;
    private final LocalStreamTap tap;
    private final ChannelGroup localConnections;
    /** Ports remembered across restarts of the client, or {@code null} to remember them only while it runs. */
    private final RememberedPorts remembered;
    /** Host names remembered across restarts, or {@code null} to remember them only while it runs. */
    private final RememberedHosts rememberedHosts;
    /** Names this client in every BIND of every session, so the relay tells it coming back from another client. */
    private final long instance = newInstance();
    /**
     * Counts the connections this client opened, each session's number in its BINDs: a relay that gets a BIND late,
     * from a session this client already gave up, can tell it from the newer one and not take the name back.
     * Only the event loop changes it.
     */
    private volatile long connections;
    private final Map<String, Integer> grantedPorts = new ConcurrentHashMap<>();
    private final Map<String, String> grantedHosts = new ConcurrentHashMap<>();
    private final Map<String, String> addresses = new ConcurrentHashMap<>();
    private final CompletableFuture<Map<String, String>> allBound = new CompletableFuture<>();
    private final CompletableFuture<String> fatal = new CompletableFuture<>();
    private volatile MuxSession session;
    private volatile Channel channel;
    private volatile boolean closing;
    private volatile String lastFailure;
    private final RelayFailover failover;
    /** The relay of the current connection or attempt; set on the event loop. */
    private volatile RelayCandidate dialing;
    private volatile String relayInUse;

    private RelayClient(RelayClientConfig config, ClientEvents events, LocalStreamTap tap, RememberedPorts remembered,
                        RememberedHosts rememberedHosts) {
        this.config = config;
        this.events = events;
        this.remembered = remembered;
        this.rememberedHosts = rememberedHosts;
        if (rememberedHosts != null) {
            for (TunnelSpec t : config.tunnels()) {
                String host = t.kind() != TunnelSpec.Kind.TCP && t.hostname().isEmpty() ? rememberedHosts.host(kindName(t), t.name()) : "";
                if (!host.isEmpty()) {
                    log.info("event=asking_remembered_host tunnel={} host={} file={}", t.name(), host, rememberedHosts.file());
                    grantedHosts.put(t.name(), host);
                }
            }
        }
        if (remembered != null) {
            // Read once, before the event loop runs: the first BIND asks for the port of the last run.
            for (TunnelSpec t : config.tunnels()) {
                int port = t.kind() == TunnelSpec.Kind.TCP && t.remotePort() == 0 ? remembered.port(kindName(t), t.name()) : 0;
                if (port != 0) {
                    log.info("event=asking_remembered_port tunnel={} port={} file={}", t.name(), port, remembered.file());
                    grantedPorts.put(t.name(), port);
                }
            }
        }
        // Through a proxy the names stay unresolved: the proxy resolves them, this side may not be able to.
        this.failover = new RelayFailover(config.relays(), config.transport().proxy() != null ? null : RelayResolver.SYSTEM,
                config.backoff());
        this.relayInUse = config.relays().get(0).hostPort();
        NetTransport transport = NetTransport.best();
        this.group = transport.newGroup(1, "homeport-client");
        this.loop = group.next();
        this.localConnections = new DefaultChannelGroup("local-connections", loop);
        this.transport = transport;
        this.observer = new Observer();
        this.tap = tap;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis());
        if (config.transport().proxy() != null) {
            // The proxy resolves the relay's name; this side must not (it may not be able to).
            bootstrap.resolver(NoopAddressResolverGroup.INSTANCE);
        }
    }

    /** Starts connecting in the background; see {@link #bound()} and {@link #failure()}. */
    public static RelayClient start(RelayClientConfig config, ClientEvents events) {
        return start(config, events, LocalStreamTap.NONE, null);
    }

    /** As above, with {@code tap} told of every connection to a local service (the request inspector). */
    public static RelayClient start(RelayClientConfig config, ClientEvents events, LocalStreamTap tap) {
        return start(config, events, tap, null);
    }

    /**
     * As above, asking for the ports {@code remembered} from an earlier run (or {@code null}), and recording the
     * ones given.
     */
    public static RelayClient start(RelayClientConfig config, ClientEvents events, LocalStreamTap tap,
                                    RememberedPorts remembered) {
        return start(config, events, tap, remembered, null);
    }

    /** As above, also asking for the host names {@code rememberedHosts} holds (or {@code null}), and recording the ones given. */
    public static RelayClient start(RelayClientConfig config, ClientEvents events, LocalStreamTap tap,
                                    RememberedPorts remembered, RememberedHosts rememberedHosts) {
        RelayClient client = new RelayClient(config, events, tap, remembered, rememberedHosts);
        client.loop.execute(client::connect);
        return client;
    }

    /** Completes with every tunnel's public address once all are bound for the first time. */
    public CompletableFuture<Map<String, String>> bound() {
        return allBound;
    }

    /** Completes with the reason if the client gives up (wrong token, tunnel refused). */
    public CompletableFuture<String> failure() {
        return fatal;
    }

    /** Each bound tunnel's public address, by tunnel name. */
    public Map<String, String> addresses() {
        return Map.copyOf(addresses);
    }

    /** The current session, or {@code null} while reconnecting. */
    public MuxSession session() {
        return session;
    }

    /** The relay in use, or being tried: {@code B:7700}, with its place when there are several: {@code B:7700 (2 of 3)}. */
    public String relayInUse() {
        return relayInUse;
    }

    private void connect() {
        if (closing) {
            return;
        }
        RelayCandidate relay = failover.current();
        dialing = relay;
        relayInUse = failover.inUse();
        log.debug("event=connecting relay=\"{}\" place=\"{}\" transport={} attempt={}", relay.label(), failover.place(),
                config.transport().name(), failover.rounds());
        // The last connection's channelInactive, which runs after its close listener below, may have
        // reported a reason ("closed during the handshake") after that connection's retry was decided.
        lastFailure = null;
        connections++;
        ChannelFuture f = bootstrap.clone()
                .handler(new ClientChannelInitializer(config, relay.relay(), transport, observer, localConnections, tap))
                .connect(relay.address());
        channel = f.channel();
        f.addListener((ChannelFuture done) -> {
            if (!done.isSuccess()) {
                failed(relay, "cannot reach relay " + relay.label() + ": " + ConnectFailure.describe(done.cause()), false);
                return;
            }
            done.channel().closeFuture().addListener(c -> {
                MuxSession s = session;
                session = null;
                if (s != null) {
                    failed(relay, "session closed: " + Printable.strip(s.closeReason()), true);
                } else if (!fatal.isDone()) {
                    String why = lastFailure;
                    lastFailure = null;
                    FarEndAnswer answer = FarEndAnswer.of(done.channel());
                    failed(relay, why != null ? why : answer != null ? answer.closedEarly() : "connection closed during the handshake",
                            false);
                }
            });
        });
    }

    /** Moves on from {@code relay}: at once to the next relay, or after the backoff when every relay failed in this round. */
    private void failed(RelayCandidate relay, String reason, boolean hadSession) {
        if (closing || fatal.isDone()) {
            return;
        }
        RelayFailover.Retry retry = failover.failed(relay, reason, hadSession);
        events.disconnected(retry.reason(), retry.delay());
        if (retry.delay().isZero()) {
            loop.execute(this::connect);
        } else {
            loop.schedule(this::connect, retry.delay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void giveUp(String message) {
        if (fatal.complete(message)) {
            log.error("event=gave_up reason=\"{}\"", message);
            events.fatal(message);
            allBound.completeExceptionally(new IllegalStateException(message));
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        }
    }

    /**
     * Graceful stop: GO_AWAY to the relay; open streams finish, the session drains and local
     * connections write their last bytes, all within the shutdown grace; then whatever is left closes.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        MuxSession s = session;
        if (s != null) {
            s.goAway(ErrorCode.SHUTDOWN, "client shutting down");
            s.whenIdle().awaitUninterruptibly(remaining(deadline), TimeUnit.NANOSECONDS);
            s.whenClosed().awaitUninterruptibly(remaining(deadline), TimeUnit.NANOSECONDS);
        }
        localConnections.newCloseFuture().awaitUninterruptibly(remaining(deadline), TimeUnit.NANOSECONDS);
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static long newInstance() {
        long id = 0;
        SecureRandom random = new SecureRandom();
        while (id == 0) { // 0 means "not named" on the wire
            id = random.nextLong();
        }
        return id;
    }

    /** The host of a public URL as BIND_OK names it ({@code https://NAME:PORT}), or empty. */
    private static String hostOf(String url) {
        try {
            String host = URI.create(url).getHost();
            return host == null ? "" : host;
        } catch (IllegalArgumentException notAUrl) {
            return "";
        }
    }

    private static String kindName(TunnelSpec tunnel) {
        return tunnel.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /**
     * Every string the relay sends that the user may see (addresses, refusals, GO_AWAY reasons) loses its
     * control characters here, where it enters the client: a hostile relay cannot drive the user's terminal.
     */
    private final class Observer implements SessionObserver {
        @Override
        public void established(MuxSession s) {
            session = s;
            lastFailure = null;
            failover.connected();
            log.info("event=connected relay=\"{}\" place=\"{}\" session={}", dialing.label(), failover.place(), s.id());
            events.connected(s.id());
        }

        @Override
        public void rejected(ErrorCode code, String relayText) {
            String message = Printable.strip(relayText);
            if (wrongPeer()) {
                return;
            }
            if (code == ErrorCode.AUTH_FAILED || code == ErrorCode.UNSUPPORTED_VERSION) {
                giveUp(message);
            } else {
                lastFailure = message;
            }
        }

        @Override
        public void transportFailed(String relayText, boolean fatal) {
            String message = Printable.strip(relayText);
            if (wrongPeer()) {
                return;
            }
            if (fatal) {
                giveUp(message);
            } else {
                lastFailure = message;
            }
        }

        /** Gives up when the far end's first bytes show it is no relay for this transport: retrying cannot help. */
        private boolean wrongPeer() {
            FarEndAnswer answer = FarEndAnswer.of(channel);
            String wrong = answer == null ? null : answer.wrongPeer();
            if (wrong != null) {
                giveUp(wrong);
            }
            return wrong != null;
        }

        @Override
        public int preferredPort(TunnelSpec tunnel) {
            return tunnel.remotePort() != 0 ? tunnel.remotePort() : grantedPorts.getOrDefault(tunnel.name(), 0);
        }

        @Override
        public String preferredHost(TunnelSpec tunnel) {
            return !tunnel.hostname().isEmpty() ? tunnel.hostname() : grantedHosts.getOrDefault(tunnel.name(), "");
        }

        @Override
        public long instance() {
            return instance;
        }

        @Override
        public long connection() {
            return connections;
        }

        @Override
        public void bound(TunnelSpec tunnel, int port, String relayText) {
            String publicHost = Printable.strip(relayText);
            Integer before = grantedPorts.put(tunnel.name(), port);
            if (remembered != null && tunnel.kind() == TunnelSpec.Kind.TCP && (before == null || before != port)) {
                // A file write: off the event loop.
                CompletableFuture.runAsync(() -> remembered.remember(kindName(tunnel), tunnel.name(), port));
            }
            String givenHost = tunnel.kind() != TunnelSpec.Kind.TCP && tunnel.hostname().isEmpty() ? hostOf(publicHost) : "";
            if (!givenHost.isEmpty() && !givenHost.equals(grantedHosts.put(tunnel.name(), givenHost)) && rememberedHosts != null) {
                CompletableFuture.runAsync(() -> rememberedHosts.remember(kindName(tunnel), tunnel.name(), givenHost));
            }
            String host = publicHost.isEmpty() ? dialing.relay().host() : publicHost;
            String address = tunnel.kind() != TunnelSpec.Kind.TCP
                    ? publicHost // the relay names the whole URL
                    : "tcp://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
            String previous = addresses.put(tunnel.name(), address);
            boolean changed = !address.equals(previous);
            log.info("event=tunnel_live tunnel={} public={} local={}", tunnel.name(), address, tunnel.localTarget());
            events.tunnelBound(tunnel, address, changed);
            if (addresses.size() == config.tunnels().size()) {
                allBound.complete(Map.copyOf(addresses));
            }
        }

        @Override
        public void refused(TunnelSpec tunnel, ErrorCode code, String message) {
            // Every refusal is final. BIND_HELD in particular: another client of this token serves the name,
            // and asking again would only take turns with it.
            giveUp("relay refused tunnel " + tunnel.name() + ": " + Printable.strip(message));
        }
    }
}
