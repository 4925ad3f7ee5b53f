package dev.homeport.server.tunnel;

import dev.homeport.cli.logging.LogValue;

import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.access.AccessPolicy;
import io.netty.channel.Channel;

import java.util.concurrent.ScheduledFuture;

/**
 * One public port bound for one token, or for an HTTP tunnel one host name on the relay's HTTP
 * port. While its session is away (reconnecting) the port or name stays held, so no one else can
 * take it, and public connections are turned away at once.
 */
public final class Tunnel {
    private final int id;
    private final int port;
    private final String principal;
    private final String name;
    private final String hostname;
    private final boolean passthrough;
    private volatile MuxSession session;
    /** Set before the tunnel is published, and again when its token binds it anew (the rules may have changed). */
    private volatile AccessPolicy access = AccessPolicy.OPEN;
    /** When its current session bound it (new or reclaimed), for the dashboard. */
    private volatile long boundAtMillis = System.currentTimeMillis();
    /** The public URL BIND_OK gave its current session; empty until then. */
    private volatile String announcedUrl = "";
    Channel listener;
    ScheduledFuture<?> expiry;

    Tunnel(int id, int port, String principal, String name, MuxSession session) {
        this(id, port, principal, name, session, "", false);
    }

    Tunnel(int id, int port, String principal, String name, MuxSession session, String hostname, boolean passthrough) {
        this.id = id;
        this.passthrough = passthrough;
        this.hostname = hostname;
        this.port = port;
        this.principal = principal;
        this.name = name;
        this.session = session;
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

    /** The session that serves this tunnel now, or {@code null} while it is reserved for a reconnect. */
    public MuxSession session() {
        return session;
    }

    void session(MuxSession s) {
        this.session = s;
        if (s != null) {
            boundAtMillis = System.currentTimeMillis();
            announcedUrl = "";
        }
    }

    /** When the session serving it now bound it (for a reserved tunnel: when its last session did). */
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

    @Override
    public String toString() {
        return "tunnel=" + LogValue.of(name) + (hostname.isEmpty() ? " port=" + port : (passthrough ? " tls_host=" : " host=") + hostname) + " principal=" + principal;
    }
}
