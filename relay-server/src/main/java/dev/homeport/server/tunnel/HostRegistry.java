package dev.homeport.server.tunnel;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.admission.PerTokenCount;
import dev.homeport.server.admission.TenantLimits;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.cluster.ClaimRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Function;

/**
 * Which host name belongs to which token and session, for HTTP tunnels. As in {@link TunnelRegistry},
 * every change runs on one registry thread, which orders concurrent claims of one name so exactly one
 * wins; public connections look names up from any thread without waiting.
 */
public final class HostRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostRegistry.class);

    private final String domain;
    private final Duration grace;
    private final AtomicInteger tunnelIds;
    private final TunnelLifecycle lifecycle;
    /** Tunnels each token holds, here and in the {@link TunnelRegistry} together. */
    private final PerTokenCount perToken;
    private final int maxPoolMembers;
    private volatile Reservations reservations = Reservations.NONE;
    /** The cluster-wide half of each claim; {@link NameClaims#ALONE} on one relay. */
    private volatile NameClaims claims = NameClaims.ALONE;
    /** Names another relay of the cluster serves: a made-up name avoids them. */
    private volatile Predicate<String> heldElsewhere = host -> false;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "homeport-hosts");
        t.setDaemon(true);
        return t;
    });
    /** Written only on the registry thread. */
    private final Map<String, Tunnel> byHost = new ConcurrentHashMap<>();
    private volatile int publicPort = -1;
    private volatile int httpsPort = -1;
    private volatile Predicate<String> hasCertificate = host -> false;
    private volatile Function<String, CompletableFuture<Boolean>> certificateOrders = host -> CompletableFuture.completedFuture(false);
    private boolean closed;

    /**
     * @param domain    completes a requested name without a dot ({@code jupyter} becomes {@code jupyter.DOMAIN}); empty: none
     * @param grace     how long a disconnected client's names stay reserved for its token
     * @param tunnelIds shared with the port registry: OPEN names a tunnel by id alone
     * @param lifecycle told when a name is bound and when it is released (metrics)
     */
    public HostRegistry(String domain, Duration grace, AtomicInteger tunnelIds, TunnelLifecycle lifecycle) {
        this(domain, grace, tunnelIds, lifecycle, new PerTokenCount(Integer.MAX_VALUE));
    }

    /** @param perToken the tunnels each token holds, shared with the {@link TunnelRegistry}, against its cap */
    public HostRegistry(String domain, Duration grace, AtomicInteger tunnelIds, TunnelLifecycle lifecycle, PerTokenCount perToken) {
        this(domain, grace, tunnelIds, lifecycle, perToken, TenantLimits.DEFAULT_MAX_POOL_MEMBERS);
    }

    /** @param maxPoolMembers the most clients that serve one name together ({@code --max-pool-members}) */
    public HostRegistry(String domain, Duration grace, AtomicInteger tunnelIds, TunnelLifecycle lifecycle, PerTokenCount perToken,
                        int maxPoolMembers) {
        this.maxPoolMembers = maxPoolMembers;
        this.perToken = perToken;
        this.lifecycle = lifecycle;
        this.domain = domain == null ? "" : HostName.canonical(domain);
        this.grace = grace;
        this.tunnelIds = tunnelIds;
    }

    /** Host names the tokens file reserves for one token: never given to another token. */
    @FunctionalInterface
    public interface Reservations {
        Reservations NONE = host -> null;

        /** @return the name of the token {@code host} (canonical) is reserved for, or {@code null} */
        String reservedBy(String host);
    }

    /** Where reserved names are looked up (the tokens file); read at every BIND, so edits apply at once. */
    public void reservations(Reservations reservations) {
        this.reservations = reservations;
    }

    /** Where each name is claimed cluster-wide before it is granted here (docs/cluster.md); set before the first BIND. */
    public void claims(NameClaims claims) {
        this.claims = claims;
    }

    /** The public HTTP listener is up on {@code port}: HTTP tunnels may be bound from now on. */
    public void serveOn(int port) {
        this.publicPort = port;
    }

    /**
     * The public HTTPS listener is up on {@code port}: TLS tunnels may be bound from now on, and HTTP
     * tunnels are served over HTTPS for the names {@code hasCertificate} accepts.
     */
    public void serveHttpsOn(int port, Predicate<String> hasCertificate) {
        this.hasCertificate = hasCertificate;
        this.httpsPort = port;
    }

    /** Whether the relay answers HTTPS for {@code host}: it has an HTTPS port and a certificate for the name. */
    public boolean servesHttps(String host) {
        return httpsPort >= 0 && hasCertificate.test(host);
    }

    /** The public HTTPS port, or -1 without one. */
    public int httpsPort() {
        return httpsPort;
    }

    /**
     * Calls {@code orders} with each HTTP host name granted to a client (new or reclaimed), on the
     * registry thread: only names a token had the right to bind, which is what ACME issues for.
     * TLS passthrough names are left out: the home service holds their certificate. The future it
     * returns says when a certificate for the name is held ({@link BindOutcome#certificate()}).
     */
    public void orderCertificatesWith(Function<String, CompletableFuture<Boolean>> orders) {
        this.certificateOrders = orders;
    }

    /** The URL that reaches {@code tunnel} from the outside, as BIND_OK tells the client: HTTPS when the relay can serve it. */
    public String publicUrl(Tunnel tunnel) {
        if (tunnel.passthrough()) {
            return "tls://" + tunnel.hostname() + ":" + httpsPort;
        }
        if (servesHttps(tunnel.hostname()) || publicPort < 0) {
            return "https://" + tunnel.hostname() + (httpsPort == 443 ? "" : ":" + httpsPort);
        }
        return "http://" + tunnel.hostname() + (publicPort == 80 ? "" : ":" + publicPort);
    }

    /** The tunnel serving {@code host} (canonical), live or reserved; {@code null} if none. */
    public Tunnel route(String host) {
        return byHost.get(host);
    }

    /** Grants {@code requested} (completed with the domain if it has no dot) unless the token lacks the right or another token holds it. */
    public CompletableFuture<BindOutcome> bind(MuxSession session, String principal, TokenRights rights, String requested,
                                               String name) {
        return bind(session, principal, rights, requested, name, false, AccessPolicy.OPEN);
    }

    /**
     * As {@link #bind(MuxSession, String, TokenRights, String, String)}, for an HTTP tunnel or, with
     * {@code passthrough}, a TLS tunnel, with the tunnel's public access rules.
     */
    public CompletableFuture<BindOutcome> bind(MuxSession session, String principal, TokenRights rights, String requested,
                                               String name, boolean passthrough, AccessPolicy access) {
        return bind(Claimant.alone(session), principal, rights, requested, name, passthrough, access);
    }

    /**
     * As above, for {@code who}: a name its token holds already stays with the client that serves it
     * (another client of the token gets BIND_HELD), unless both ask for a pool (PROTOCOL.md, "Pools").
     * An empty {@code requested} gets the token's reserved name, or else a fresh name under the domain.
     */
    public CompletableFuture<BindOutcome> bind(Claimant who, String principal, TokenRights rights, String requested,
                                               String name, boolean passthrough, AccessPolicy access) {
        return CompletableFuture.supplyAsync(() -> bindNow(who, principal, rights, requested, name, passthrough, access), thread);
    }

    private BindOutcome bindNow(Claimant who, String principal, TokenRights rights, String requested, String name,
                                boolean passthrough, AccessPolicy access) {
        MuxSession session = who.session();
        if (closed) {
            return BindOutcome.refused(ErrorCode.SHUTDOWN, "relay is shutting down");
        }
        if (passthrough && httpsPort < 0) {
            return BindOutcome.refused(ErrorCode.BIND_DENIED, "this relay serves no TLS tunnels (it runs without --https)");
        }
        if (!passthrough && publicPort < 0 && httpsPort < 0) {
            return BindOutcome.refused(ErrorCode.BIND_DENIED, "this relay serves no HTTP tunnels (it runs without --http or --https)");
        }
        String host = HostName.canonical(requested);
        if (host.isEmpty()) {
            if (!rights.reservedHost().isEmpty()) {
                host = rights.reservedHost(); // the token's own name: its address stays the same whatever the client remembers
            } else if (domain.isEmpty()) {
                return BindOutcome.refused(ErrorCode.BIND_DENIED, "this relay has no --domain to make up a host name "
                        + "under; ask for one with --hostname");
            } else {
                host = freshName(principal, rights);
                if (host == null) {
                    return BindOutcome.refused(ErrorCode.BIND_DENIED, "token " + principal + " may bind only the host names "
                            + rights.hosts() + ", not a made-up one under " + domain + "; ask for one with --hostname");
                }
            }
        }
        if (host.indexOf('.') < 0) {
            if (domain.isEmpty()) {
                return BindOutcome.refused(ErrorCode.BIND_DENIED, "'" + host + "' is not a full host name and this relay "
                        + "has no --domain to complete it; ask for a name such as " + host + ".example.com");
            }
            host = host + "." + domain;
        }
        if (!HostName.isValid(host)) {
            return BindOutcome.refused(ErrorCode.BIND_DENIED, "'" + host + "' is not a valid host name");
        }
        String reservedFor = reservations.reservedBy(host);
        if (reservedFor != null && !reservedFor.equals(principal)) {
            return BindOutcome.refused(ErrorCode.BIND_UNAVAILABLE,
                    "host " + host + " is reserved for token " + reservedFor + " (tokens file, reserve-host=)");
        }
        if (!rights.allowsHost(host) && !host.equals(rights.reservedHost())) {
            return BindOutcome.refused(ErrorCode.BIND_DENIED, "token " + principal + " may not bind host " + host);
        }
        Tunnel existing = byHost.get(host);
        if (existing != null && existing.passthrough() != passthrough && existing.principal().equals(principal)
                && existing.session() == null) {
            byHost.remove(host); // its token comes back with the other kind of tunnel for the name
            perToken.give(existing.principal());
            lifecycle.released(existing);
            existing = null;
        }
        String claimName = ClaimRequest.hostName(host);
        String kind = passthrough ? "tls" : "http";
        if (existing == null) {
            BindOutcome refusal = claims.claim(claimName, who, principal, kind, access);
            if (refusal != null) {
                return refusal;
            }
            if (!perToken.tryTake(principal)) {
                claims.release(claimName, who, principal);
                return BindOutcome.refused(ErrorCode.BIND_DENIED, TunnelRegistry.tooManyTunnels(principal, perToken));
            }
            int port = passthrough || publicPort < 0 ? httpsPort : publicPort;
            Tunnel t = new Tunnel(tunnelIds.getAndIncrement(), port, principal, name, who.member(), who.pool(), host, passthrough);
            t.access(access);
            byHost.put(host, t);
            lifecycle.bound(t);
            log.info("event=tunnel_bound {} session={}", t, session.id());
            if (!passthrough) { // the home side terminates TLS for a passthrough name: no certificate here
                return BindOutcome.granted(t, certificateOrders.apply(t.hostname()));
            }
            return BindOutcome.granted(t);
        }
        if (!existing.principal().equals(principal)) {
            return BindOutcome.refused(ErrorCode.BIND_UNAVAILABLE, "host " + host + " is bound by another token"
                    + (existing.session() == null ? " (held for it while it reconnects)" : ""));
        }
        if (existing.passthrough() != passthrough) {
            return BindOutcome.refused(ErrorCode.BIND_UNAVAILABLE, "host " + host + " is bound as "
                    + (existing.passthrough() ? "a TLS" : "an HTTP") + " tunnel by another session of this token");
        }
        BindOutcome refusal = claims.claim(claimName, who, principal, kind, access);
        if (refusal != null) {
            return refusal;
        }
        BindOutcome outcome = SameTokenClaim.claim(existing, who, access, "host " + host, maxPoolMembers);
        if (!outcome.isGranted()) {
            claims.release(claimName, who, principal);
        }
        if (outcome.isGranted() && !passthrough) {
            return BindOutcome.granted(existing, certificateOrders.apply(existing.hostname()));
        }
        return outcome;
    }

    /** A name under the domain that no one holds or has reserved and the token may bind; {@code null} if it may bind none. */
    private String freshName(String principal, TokenRights rights) {
        for (int attempt = 0; attempt < 16; attempt++) {
            String host = HostName.freshLabel() + "." + domain;
            if (!rights.allowsHost(host)) {
                return null; // the token's rights name hosts, not the domain: no made-up name will do
            }
            String holder = reservations.reservedBy(host);
            if (!byHost.containsKey(host) && !heldElsewhere.test(host) && (holder == null || holder.equals(principal))) {
                return host;
            }
        }
        return null;
    }

    /** The session ended: it leaves the pools it served in; a name no client serves any more stays reserved for its token for the grace period. */
    public void release(MuxSession session) {
        if (thread.isShutdown()) {
            return;
        }
        thread.execute(() -> {
            for (Tunnel t : byHost.values()) {
                Tunnel.Member member = t.memberOf(session);
                if (member != null) {
                    claims.release(ClaimRequest.hostName(t.hostname()),
                            new Claimant(session, member.instance(), member.connection(), t.pool()), t.principal());
                }
                if (SameTokenClaim.leave(t, session)) {
                    log.info("event=tunnel_reserved {} grace_s={}", t, grace.toSeconds());
                    t.expiry = thread.schedule(() -> expire(t), grace.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    /**
     * The cluster's routes changed: a name this relay still holds for a client that left, or serves
     * alone for a session the cluster has since given the name to elsewhere (the same client moved to
     * another relay), is dropped here, so that public connections for it are forwarded to its new relay.
     */
    public void superseded(Predicate<String> servedElsewhere) {
        heldElsewhere = servedElsewhere;
        if (thread.isShutdown()) {
            return;
        }
        thread.execute(() -> {
            for (Tunnel t : List.copyOf(byHost.values())) {
                if (servedElsewhere.test(t.hostname()) && ClusterMoves.supersede(t)) {
                    expire(t);
                }
            }
        });
    }

    /**
     * The cluster registry says session {@code sessionId} lost {@code name} ({@code host/...}) without
     * releasing it (the same client took it over on a new session, perhaps on another relay, or the claim
     * lapsed): it stops serving the name here; with no member left the name is not held here any more.
     */
    public void lost(String name, String sessionId, String why) {
        if (thread.isShutdown()) {
            return;
        }
        thread.execute(() -> {
            if (!name.startsWith("host/")) {
                return;
            }
            Tunnel t = byHost.get(name.substring("host/".length()));
            if (t == null) {
                return;
            }
            if (ClusterMoves.lose(t, sessionId, why)) {
                expire(t);
            }
        });
    }

    private void expire(Tunnel t) {
        if (t.session() == null && byHost.remove(t.hostname(), t)) {
            perToken.give(t.principal());
            lifecycle.released(t);
            log.info("event=tunnel_released {}", t);
        }
    }

    /** Snapshot for status and tests. */
    public CompletableFuture<List<Tunnel>> tunnels() {
        return CompletableFuture.supplyAsync(() -> List.copyOf(byHost.values()), thread);
    }

    @Override
    public void close() {
        if (thread.isShutdown()) {
            return;
        }
        CompletableFuture.runAsync(() -> {
            closed = true;
            byHost.values().forEach(t -> {
                if (t.expiry != null) {
                    t.expiry.cancel(false);
                }
                perToken.give(t.principal());
                lifecycle.released(t);
            });
            byHost.clear();
        }, thread).join();
        thread.shutdownNow();
    }
}
