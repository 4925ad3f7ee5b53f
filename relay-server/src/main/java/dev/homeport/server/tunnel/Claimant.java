package dev.homeport.server.tunnel;

import dev.homeport.protocol.mux.MuxSession;

/**
 * Who asks for a port or host name: the session the BIND came on, the client instance it named (the
 * same in every session of one client process; 0 when not named), the session's number among that
 * client's sessions (BIND's {@code connection}, 0 when not told) and whether it asks to share the
 * name with the token's other pool clients.
 */
public record Claimant(MuxSession session, long instance, long connection, boolean pool) {
    /** A client that does not number its sessions. */
    public Claimant(MuxSession session, long instance, boolean pool) {
        this(session, instance, 0, pool);
    }

    /** A client that names no instance and serves alone. */
    public static Claimant alone(MuxSession session) {
        return new Claimant(session, 0, false);
    }

    Tunnel.Member member() {
        return new Tunnel.Member(session, instance, connection);
    }
}
