package dev.homeport.server.tunnel;

import dev.homeport.protocol.mux.MuxSession;
import io.netty.channel.Channel;

import java.util.concurrent.ScheduledFuture;

/**
 * One public port bound for one token. While its session is away (reconnecting) the listener
 * stays bound, so no one else can take the port, and public connections are closed at once.
 */
public final class Tunnel {
    private final int id;
    private final int port;
    private final String principal;
    private final String name;
    private volatile MuxSession session;
    Channel listener;
    ScheduledFuture<?> expiry;

    Tunnel(int id, int port, String principal, String name, MuxSession session) {
        this.id = id;
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

    /** The session that serves this tunnel now, or {@code null} while it is reserved for a reconnect. */
    public MuxSession session() {
        return session;
    }

    void session(MuxSession s) {
        this.session = s;
    }

    @Override
    public String toString() {
        return "tunnel=" + name + " port=" + port + " principal=" + principal;
    }
}
