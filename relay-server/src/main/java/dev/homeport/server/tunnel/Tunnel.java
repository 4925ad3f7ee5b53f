package dev.homeport.server.tunnel;

import dev.homeport.protocol.mux.MuxSession;
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
    private volatile MuxSession session;
    Channel listener;
    ScheduledFuture<?> expiry;

    Tunnel(int id, int port, String principal, String name, MuxSession session) {
        this(id, port, principal, name, session, "");
    }

    Tunnel(int id, int port, String principal, String name, MuxSession session, String hostname) {
        this.id = id;
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

    /** The session that serves this tunnel now, or {@code null} while it is reserved for a reconnect. */
    public MuxSession session() {
        return session;
    }

    void session(MuxSession s) {
        this.session = s;
    }

    @Override
    public String toString() {
        return "tunnel=" + name + (hostname.isEmpty() ? " port=" + port : " host=" + hostname) + " principal=" + principal;
    }
}
