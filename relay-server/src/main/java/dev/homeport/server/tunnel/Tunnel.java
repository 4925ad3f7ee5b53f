package dev.homeport.server.tunnel;

import dev.homeport.cli.logging.LogValue;

import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.access.AccessPolicy;
import io.netty.channel.Channel;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One public port bound for one token, or for an HTTP tunnel one host name on the relay's HTTP
 * port. It is served by one client session, or for a pool by several sessions of the token, which
 * take new public connections in turn. While no session serves it (its client reconnects) the port
 * or name stays held, so no one else can take it, and public connections are turned away at once.
 */
public final class Tunnel {
    private final int id;
    private final int port;
    private final String principal;
    private final String name;
    private final String hostname;
    private final boolean passthrough;
    /** Who serves the tunnel now; replaced, never changed in place, on the registry thread only. */
    private volatile List<Member> members;
    private volatile boolean pool;
    private final AtomicInteger turn = new AtomicInteger();
    /** Set before the tunnel is published, and again when its token binds it anew (the rules may have changed). */
    private volatile AccessPolicy access = AccessPolicy.OPEN;
    /** When its current session bound it (new or reclaimed), for the dashboard. */
    private volatile long boundAtMillis = System.currentTimeMillis();
    /** The public URL BIND_OK gave its current session; empty until then. */
    private volatile String announcedUrl = "";
    Channel listener;
    ScheduledFuture<?> expiry;

    /** One client serving a tunnel: its session, and the instance and connection number its BIND named (0: not named). */
    record Member(MuxSession session, long instance, long connection) {
        Member(MuxSession session, long instance) {
            this(session, instance, 0);
        }
    }

    Tunnel(int id, int port, String principal, String name, Member first, boolean pool) {
        this(id, port, principal, name, first, pool, "", false);
    }

    Tunnel(int id, int port, String principal, String name, Member first, boolean pool, String hostname, boolean passthrough) {
        this.id = id;
        this.passthrough = passthrough;
        this.hostname = hostname;
        this.port = port;
        this.principal = principal;
        this.name = name;
        this.members = List.of(first);
        this.pool = pool;
    }

    public int id() {
        return id;
    }

    public int port() {
        return port;
    }

    public String principal() {
        return principal;
    }

    public String name() {
        return name;
    }

    /** The host name an HTTP tunnel serves; empty for a TCP tunnel. */
    public String hostname() {
        return hostname;
    }

    /** A TLS tunnel: its connections arrive on the HTTPS port and pass through unopened, routed by SNI. */
    public boolean passthrough() {
        return passthrough;
    }

    /** The tunnel's public access rules. */
    public AccessPolicy access() {
        return access;
    }

    void access(AccessPolicy policy) {
        this.access = policy;
    }

    /** A session that serves this tunnel now (a pool's first member), or {@code null} while it is reserved for a reconnect. */
    public MuxSession session() {
        List<Member> m = members;
        return m.isEmpty() ? null : m.get(0).session();
    }

    /**
     * The session that takes the next public connection: the only one, or a pool's members in turn
     * (round robin); {@code null} while no client serves the tunnel.
     */
    public MuxSession nextSession() {
        List<Member> m = members;
        return switch (m.size()) {
            case 0 -> null;
            case 1 -> m.get(0).session();
            default -> m.get(Math.floorMod(turn.getAndIncrement(), m.size())).session();
        };
    }

    /** Every session that serves this tunnel now. */
    public List<MuxSession> sessions() {
        return members.stream().map(Member::session).toList();
    }

    /** Several clients of the token may serve it together (they asked with {@code --pool}). */
    public boolean pool() {
        return pool;
    }

    void pool(boolean pool) {
        this.pool = pool;
    }

    List<Member> members() {
        return members;
    }

    /** {@code session}'s membership, or {@code null} when it does not serve this tunnel. */
    Member memberOf(MuxSession session) {
        for (Member m : members) {
            if (m.session() == session) {
                return m;
            }
        }
        return null;
    }

    void members(List<Member> now) {
        List<Member> before = members;
        this.members = List.copyOf(now);
        if (now.size() > before.size() || (!now.isEmpty() && (before.isEmpty() || before.get(0) != now.get(0)))) {
            // A session took it or joined it: a new binding, told its URL anew.
            boundAtMillis = System.currentTimeMillis();
            announcedUrl = "";
        }
    }

    /** When a session serving it now bound it (the newest bind; for a reserved tunnel: when its last session did). */
    public long boundAtMillis() {
        return boundAtMillis;
    }

    /** The URL the client was told in BIND_OK, which the relay keeps serving as told (see {@link #announcedPlainHttp()}). */
    public void announced(String url) {
        this.announcedUrl = url;
    }

    /**
     * Whether the client was told an http:// URL (no certificate for the name yet): plain HTTP is then
     * served for this binding without the redirect to HTTPS, so the URL the client printed keeps
     * working for every method; the next bind, with the certificate there, is told https://.
     */
    public boolean announcedPlainHttp() {
        return announcedUrl.startsWith("http://");
    }

    void cancelExpiry() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    @Override
    public String toString() {
        return "tunnel=" + LogValue.of(name) + (hostname.isEmpty() ? " port=" + port : (passthrough ? " tls_host=" : " host=") + hostname) + " principal=" + principal
                + (pool ? " pool_members=" + members.size() : "");
    }
}
