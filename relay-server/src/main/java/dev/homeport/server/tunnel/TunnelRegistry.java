package dev.homeport.server.tunnel;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.PortRange;
import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.admission.PerTokenCount;
import dev.homeport.server.admission.TenantLimits;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.cluster.ClaimRequest;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * Which public port belongs to which token and session. Binding a port blocks on the OS, so all
 * changes run on one registry thread, never on an event loop; that thread also orders concurrent
 * claims of one port, so exactly one wins.
 */
public final class TunnelRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TunnelRegistry.class);

    /** Opens the public listener of a tunnel; throws when the OS refuses the port. */
    @FunctionalInterface
    public interface Listen {
        Channel listen(Tunnel tunnel) throws Exception;
    }

    private final PortRange range;
    private final Duration grace;
    private final Listen listen;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "homeport-registry");
        t.setDaemon(true);
        return t;
    });
    /** Ports the tokens file reserves for one token: never given to another token. */
    @FunctionalInterface
    public interface Reservations {
        Reservations NONE = port -> null;

        /** @return the name of the token {@code port} is reserved for, or {@code null} */
        String reservedBy(int port);
    }

    /** Written on the registry thread only; concurrent so that {@link #route} reads it from any thread. */
    private final Map<Integer, Tunnel> byPort = new ConcurrentHashMap<>();
    /** Ports another relay of the cluster serves: a BIND for any free port skips them. */
    private volatile IntPredicate heldElsewhere = port -> false;
    private static final String KIND = "tcp";
    private volatile Reservations reservations = Reservations.NONE;
    /** The cluster-wide half of each claim; {@link NameClaims#ALONE} on one relay. */
    private volatile NameClaims claims = NameClaims.ALONE;
    private final AtomicInteger nextId;
    private final TunnelLifecycle lifecycle;
    /** Tunnels each token holds, here and in the {@link HostRegistry} together. */
    private final PerTokenCount perToken;
    private final int maxPoolMembers;
    private boolean closed;

    public TunnelRegistry(PortRange range, Duration grace, Listen listen) {
        this(range, grace, listen, new AtomicInteger(1));
    }

    /** @param tunnelIds shared with the {@link HostRegistry}: OPEN names a tunnel by id alone */
    public TunnelRegistry(PortRange range, Duration grace, Listen listen, AtomicInteger tunnelIds) {
        this(range, grace, listen, tunnelIds, TunnelLifecycle.NONE);
    }

    /** @param lifecycle told when a tunnel is bound and when it is released (metrics) */
    public TunnelRegistry(PortRange range, Duration grace, Listen listen, AtomicInteger tunnelIds, TunnelLifecycle lifecycle) {
        this(range, grace, listen, tunnelIds, lifecycle, new PerTokenCount(Integer.MAX_VALUE));
    }

    /** @param perToken the tunnels each token holds, shared with the {@link HostRegistry}, against its cap */
    public TunnelRegistry(PortRange range, Duration grace, Listen listen, AtomicInteger tunnelIds, TunnelLifecycle lifecycle,
                          PerTokenCount perToken) {
        this(range, grace, listen, tunnelIds, lifecycle, perToken, TenantLimits.DEFAULT_MAX_POOL_MEMBERS);
    }

    /** @param maxPoolMembers the most clients that serve one port together ({@code --max-pool-members}) */
    public TunnelRegistry(PortRange range, Duration grace, Listen listen, AtomicInteger tunnelIds, TunnelLifecycle lifecycle,
                          PerTokenCount perToken, int maxPoolMembers) {
        this.maxPoolMembers = maxPoolMembers;
        this.perToken = perToken;
        this.lifecycle = lifecycle;
        this.nextId = tunnelIds;
        this.range = range;
        this.grace = grace;
        this.listen = listen;
    }

    /** Where reserved ports are looked up (the tokens file); read at every BIND, so edits apply at once. */
    public void reservations(Reservations reservations) {
        this.reservations = reservations;
    }

    /** Where each port is claimed cluster-wide before it is granted here (docs/cluster.md); set before the first BIND. */
    public void claims(NameClaims claims) {
        this.claims = claims;
    }

    /**
     * Grants {@code requestedPort} if it is in range and free (or reserved for this principal), else
     * refuses it; {@code 0} gets any free port in range. A port outside the range is refused, as is a full range.
     */
    public CompletableFuture<BindOutcome> bind(MuxSession session, String principal, TokenRights rights, int requestedPort,
                                               String name) {
        return bind(session, principal, rights, requestedPort, name, AccessPolicy.OPEN);
    }

    /** As {@link #bind(MuxSession, String, TokenRights, int, String)}, with the tunnel's public access rules. */
    public CompletableFuture<BindOutcome> bind(MuxSession session, String principal, TokenRights rights, int requestedPort,
                                               String name, AccessPolicy access) {
        return bind(Claimant.alone(session), principal, rights, requestedPort, name, access);
    }

    /**
     * As above, for {@code who}: a port its token holds already stays with the client that serves it
     * (another client of the token gets BIND_HELD), unless both ask for a pool (PROTOCOL.md, "Pools").
     */
    public CompletableFuture<BindOutcome> bind(Claimant who, String principal, TokenRights rights, int requestedPort,
                                               String name, AccessPolicy access) {
        return CompletableFuture.supplyAsync(() -> bindNow(who, principal, rights, requestedPort, name, access), thread);
    }

    private BindOutcome bindNow(Claimant who, String principal, TokenRights rights, int requested, String name,
                                AccessPolicy access) {
        if (closed) {
            return BindOutcome.refused(ErrorCode.SHUTDOWN, "relay is shutting down");
        }
        if (requested != 0 && !range.contains(requested)) {
            return BindOutcome.refused(ErrorCode.BIND_DENIED,
                    "port " + requested + " is outside this relay's public port range " + range);
        }
        if (requested != 0 && !rights.allowsPort(requested)) {
            return BindOutcome.refused(ErrorCode.BIND_DENIED,
                    "token " + principal + " may bind ports " + rights.ports() + " only, not " + requested);
        }
        String reservedFor = requested != 0 ? reservations.reservedBy(requested) : null;
        if (reservedFor != null && !reservedFor.equals(principal)) {
            return BindOutcome.refused(ErrorCode.BIND_UNAVAILABLE,
                    "port " + requested + " is reserved for token " + reservedFor + " (tokens file, reserve=)");
        }
        if (requested == 0 && rights.reservedPort() != 0 && range.contains(rights.reservedPort())) {
            // The token's own port first: its address stays the same whatever the client remembers.
            requested = rights.reservedPort();
        }
        if (requested != 0) {
            Tunnel existing = byPort.get(requested);
            if (existing != null && existing.principal().equals(principal)) {
                String claimName = ClaimRequest.portName(requested);
                BindOutcome refusal = claims.claim(claimName, who, principal, KIND, access);
                if (refusal != null) {
                    return refusal;
                }
                BindOutcome local = SameTokenClaim.claim(existing, who, access, "port " + requested, maxPoolMembers);
                if (!local.isGranted()) {
                    claims.release(claimName, who, principal);
                }
                return local;
            }
            if (existing == null) {
                BindOutcome refusal = claims.claim(ClaimRequest.portName(requested), who, principal, KIND, access);
                if (refusal != null) {
                    return refusal;
                }
                if (!perToken.tryTake(principal)) {
                    claims.release(ClaimRequest.portName(requested), who, principal);
                    return BindOutcome.refused(ErrorCode.BIND_DENIED, TunnelRegistry.tooManyTunnels(principal, perToken));
                }
                Tunnel t = tryListen(requested, principal, name, who, access);
                if (t != null) {
                    return BindOutcome.granted(t);
                }
                perToken.give(principal);
                claims.release(ClaimRequest.portName(requested), who, principal);
            }
            // A client that names a port gets that port or an error, never another port (PROTOCOL.md, "Tunnels").
            return BindOutcome.refused(ErrorCode.BIND_UNAVAILABLE, "port " + requested + " is " + takenBy(existing));
        }
        if (!perToken.tryTake(principal)) {
            return BindOutcome.refused(ErrorCode.BIND_DENIED, TunnelRegistry.tooManyTunnels(principal, perToken));
        }
        for (int p = range.low(); p <= range.high(); p++) {
            String holder = reservations.reservedBy(p);
            if (rights.allowsPort(p) && !byPort.containsKey(p) && (holder == null || holder.equals(principal))
                    && !heldElsewhere.test(p)) {
                BindOutcome refusal = claims.claim(ClaimRequest.portName(p), who, principal, KIND, access);
                if (refusal != null) {
                    if (refusal.refusal() == ErrorCode.SHUTDOWN) {
                        perToken.give(principal);
                        return refusal; // the registry is out of reach: no other port would do better
                    }
                    continue; // claimed on another relay a moment ago
                }
                Tunnel t = tryListen(p, principal, name, who, access);
                if (t != null) {
                    return BindOutcome.granted(t);
                }
                claims.release(ClaimRequest.portName(p), who, principal);
            }
        }
        perToken.give(principal);
        return BindOutcome.refused(ErrorCode.BIND_UNAVAILABLE, "no free public port left in range " + range
                + (rights.ports() == null ? "" : " for token " + principal + " (ports " + rights.ports() + ")"));
    }

    static String tooManyTunnels(String principal, PerTokenCount perToken) {
        return "token " + principal + " already holds " + perToken.max() + " tunnels, live or reserved for its reconnect, "
                + "the most one token may on this relay (--max-tunnels-per-token)";
    }

    private static String takenBy(Tunnel existing) {
        if (existing == null) {
            return "in use on the relay's host"; // the OS refused it: another program holds it
        }
        return existing.session() == null ? "reserved for another token during its reconnect grace" : "bound by another token";
    }

    private Tunnel tryListen(int port, String principal, String name, Claimant who, AccessPolicy access) {
        MuxSession session = who.session();
        Tunnel t = new Tunnel(nextId.getAndIncrement(), port, principal, name, who.member(), who.pool());
        t.access(access);
        try {
            t.listener = listen.listen(t);
        } catch (Exception e) {
            log.info("event=port_unavailable port={} reason=\"{}\"", port, e.getMessage());
            return null;
        }
        byPort.put(port, t);
        lifecycle.bound(t);
        log.info("event=tunnel_bound {} session={}", t, session.id());
        return t;
    }

    /**
     * The session ended: it leaves the pools it served in; a tunnel no client serves any more stays
     * reserved for its token for the grace period.
     */
    public void release(MuxSession session) {
        if (thread.isShutdown()) {
            return; // the relay is stopping: nothing is reserved any more
        }
        thread.execute(() -> {
            for (Tunnel t : new ArrayList<>(byPort.values())) {
                Tunnel.Member member = t.memberOf(session);
                if (member != null) {
                    claims.release(ClaimRequest.portName(t.port()), new Claimant(session, member.instance(), member.connection(), t.pool()), t.principal());
                }
                if (SameTokenClaim.leave(t, session)) {
                    log.info("event=tunnel_reserved {} grace_s={}", t, grace.toSeconds());
                    t.expiry = thread.schedule(() -> expire(t), grace.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    /**
     * The cluster's routes changed: a port this relay still holds for a client that left, or serves
     * alone for a session the cluster has since given the port to elsewhere (the same client moved to
     * another relay), is dropped here, so that public connections for it are forwarded to its new relay.
     */
    public void superseded(IntPredicate servedElsewhere) {
        heldElsewhere = servedElsewhere;
        if (thread.isShutdown()) {
            return;
        }
        thread.execute(() -> {
            for (Tunnel t : new ArrayList<>(byPort.values())) {
                if (servedElsewhere.test(t.port()) && ClusterMoves.supersede(t)) {
                    expire(t);
                }
            }
        });
    }

    /**
     * The cluster registry says session {@code sessionId} lost {@code name} ({@code port/...}) without
     * releasing it (the same client took it over on a new session, perhaps on another relay, or the claim
     * lapsed): it stops serving the name here; with no member left the name is not held here any more.
     */
    public void lost(String name, String sessionId, String why) {
        if (thread.isShutdown()) {
            return;
        }
        thread.execute(() -> {
            if (!name.startsWith("port/")) {
                return;
            }
            Tunnel t;
            try {
                t = byPort.get(Integer.parseInt(name.substring("port/".length())));
            } catch (NumberFormatException e) {
                return;
            }
            if (t == null) {
                return;
            }
            if (ClusterMoves.lose(t, sessionId, why)) {
                expire(t);
            }
        });
    }

    private void expire(Tunnel t) {
        if (t.session() == null && byPort.get(t.port()) == t) {
            byPort.remove(t.port());
            t.listener.close();
            perToken.give(t.principal());
            lifecycle.released(t);
            log.info("event=tunnel_released {}", t);
        }
    }

    /** The tunnel bound (or reserved) on {@code port}, or {@code null}; from any thread, without waiting. */
    public Tunnel route(int port) {
        return byPort.get(port);
    }

    /** Snapshot for status and tests. */
    public CompletableFuture<List<Tunnel>> tunnels() {
        return CompletableFuture.supplyAsync(() -> List.copyOf(byPort.values()), thread);
    }

    /** Closes every public listener; already accepted connections are not touched. */
    public CompletableFuture<Void> closeListeners() {
        return CompletableFuture.runAsync(() -> {
            closed = true;
            for (Tunnel t : byPort.values()) {
                if (t.expiry != null) {
                    t.expiry.cancel(false);
                }
                t.listener.close().syncUninterruptibly();
                perToken.give(t.principal());
                lifecycle.released(t);
            }
            byPort.clear();
        }, thread);
    }

    @Override
    public void close() {
        closeListeners().join();
        thread.shutdownNow();
    }
}
