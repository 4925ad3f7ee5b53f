package dev.homeport.server.metrics;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.mux.StreamTraffic;
import dev.homeport.server.admission.RecentRefusals;
import dev.homeport.server.tunnel.Tunnel;
import dev.homeport.server.tunnel.TunnelLifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.internal.PlatformDependent;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

import java.net.SocketAddress;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The relay's meters, named {@code homeport.*} with low-cardinality tags only (a reason, a tunnel
 * kind, a tunnel's port or host name; never an address or a session). Per-tunnel meters are
 * removed when the tunnel is released, so their number is bounded by the tunnels bound at once
 * (at most the public port range plus the HTTP host names tokens may hold). The registry is the
 * caller's: Prometheus on the admin port, or a simple one in tests.
 */
public final class RelayMetrics implements TunnelLifecycle {
    /** Tunnel kinds, as the {@code kind} tag spells them. */
    public static final String TCP = "tcp";
    public static final String HTTP = "http";
    public static final String TLS = "tls";

    private final MeterRegistry registry;
    private final Counter throttled;
    private final Map<String, Counter> streamsOpened = new ConcurrentHashMap<>();
    private final Map<Tunnel, TunnelMeters> tunnels = new ConcurrentHashMap<>();
    private final Counter refusedPerAddressCap;
    private final Counter sessionsRefused;
    private final RecentRefusals recent;
    /** Made when first asked for, by a relay that runs peer links: a relay alone exports none of them. */
    private volatile PeerMeters peer;

    public RelayMetrics(MeterRegistry registry, Supplier<Collection<MuxSession>> sessions) {
        this(registry, sessions, new RecentRefusals(0));
    }

    /** @param recent where each refusal counted here is also listed, for the dashboard */
    public RelayMetrics(MeterRegistry registry, Supplier<Collection<MuxSession>> sessions, RecentRefusals recent) {
        this.registry = registry;
        this.recent = recent;
        this.throttled = Counter.builder("homeport.connections.throttled")
                .description("Control connections dropped because their address failed too many handshakes")
                .register(registry);
        this.refusedPerAddressCap = Counter.builder("homeport.public.connections.refused")
                .description("Public connections reset at accept, by reason")
                .tag("reason", "per_address_cap")
                .register(registry);
        this.sessionsRefused = Counter.builder("homeport.sessions.refused")
                .description("Authenticated sessions ended at once, by reason")
                .tag("reason", "session_limit")
                .register(registry);
        // Strong references: a gauge holds its state object weakly, and this supplier has no other owner.
        Gauge.builder("homeport.clients.connected", sessions, s -> s.get().size())
                .description("Client sessions connected now").strongReference(true).register(registry);
        Gauge.builder("homeport.streams.open", sessions, s -> s.get().stream().mapToInt(MuxSession::openStreams).sum())
                .description("Streams open now, over all sessions").strongReference(true).register(registry);
        // Direct memory is where a session's buffers live, outside the heap: what -Xmx does not show.
        Gauge.builder("homeport.memory.direct.used", () -> PlatformDependent.usedDirectMemory())
                .description("Direct memory in use, by who counts it: Netty's own allocations (-1 if Netty does not "
                        + "count them) or the JDK's direct buffer pool")
                .tag("source", "netty").baseUnit("bytes").strongReference(true).register(registry);
        Gauge.builder("homeport.memory.direct.used", RelayMetrics::jdkDirectBytes)
                .description("Direct memory in use, by who counts it: Netty's own allocations (-1 if Netty does not "
                        + "count them) or the JDK's direct buffer pool")
                .tag("source", "jdk").baseUnit("bytes").strongReference(true).register(registry);
        // Registered up front, so a dashboard sees 0 rather than no series before the first stream.
        streamsOpenedCounter(TCP);
        streamsOpenedCounter(HTTP);
        streamsOpenedCounter(TLS);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public RecentRefusals recentRefusals() {
        return recent;
    }

    /** The meters of peer links to other relays of a cluster, registered at the first call. */
    public PeerMeters peer() {
        PeerMeters meters = peer;
        if (meters == null) {
            synchronized (this) {
                if (peer == null) {
                    peer = new PeerMeters(registry);
                }
                meters = peer;
            }
        }
        return meters;
    }

    public void handshakeFailed(ErrorCode code, SocketAddress remote) {
        String reason = code.name().toLowerCase(Locale.ROOT);
        Counter.builder("homeport.handshake.failures")
                .description("Handshakes that ended without a session, by reason")
                .tag("reason", reason)
                .register(registry).increment();
        recent.add(RecentRefusals.DENIED, remote, "handshake " + reason);
    }

    /** A control connection whose TLS failed: {@code not_tls} (its bytes were not TLS) or {@code handshake}. */
    public void tlsFailed(String reason, SocketAddress remote) {
        Counter.builder("homeport.tls.failures")
                .description("Control connections whose TLS failed before any handshake frame, by reason")
                .tag("reason", reason)
                .register(registry).increment();
        recent.add(RecentRefusals.DENIED, remote, "tls " + reason);
    }

    public void throttled(SocketAddress remote) {
        throttled.increment();
        recent.add(RecentRefusals.THROTTLED, remote, "too many failed handshakes from this address");
    }

    /**
     * A public connection became a stream of {@code tunnel}: counts it, and returns what its bridge
     * adds the stream's bytes to (nothing, if the tunnel was released meanwhile).
     */
    public StreamTraffic streamOpened(Tunnel tunnel) {
        streamsOpenedCounter(kind(tunnel)).increment();
        TunnelMeters meters = tunnels.get(tunnel);
        return meters == null ? StreamTraffic.NONE : meters;
    }

    @Override
    public void bound(Tunnel tunnel) {
        tunnels.computeIfAbsent(tunnel, t -> new TunnelMeters(registry, t));
    }

    @Override
    public void released(Tunnel tunnel) {
        TunnelMeters meters = tunnels.remove(tunnel);
        if (meters != null) {
            meters.remove(registry);
        }
    }

    private static double jdkDirectBytes() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }

    static String kind(Tunnel tunnel) {
        return tunnel.hostname().isEmpty() ? TCP : tunnel.passthrough() ? TLS : HTTP;
    }

    private Counter streamsOpenedCounter(String kind) {
        return streamsOpened.computeIfAbsent(kind, k -> Counter.builder("homeport.streams.opened")
                .description("Public connections that became streams, by tunnel kind")
                .tag("kind", k).register(registry));
    }

    /** A session was ended right after its handshake: its token already held {@code --max-sessions-per-token}. */
    public void sessionRefused(SocketAddress remote) {
        sessionsRefused.increment();
        recent.add(RecentRefusals.LIMIT, remote, "session_limit (--max-sessions-per-token)");
    }

    /** A public connection was reset at accept: its address already held {@code --max-connections-per-address}. */
    public void refusedPerAddressCap(SocketAddress remote) {
        refusedPerAddressCap.increment();
        recent.add(RecentRefusals.LIMIT, remote, "per_address_cap (--max-connections-per-address)");
    }
}
