package dev.homeport.server.session;

import dev.homeport.protocol.mux.MuxSession;

/** The relay's view of its sessions: told when one starts and when it ends. */
public interface SessionListener {
    void started(MuxSession session, String principal);

    /** As above, with the client's address, for the admin dashboard. */
    default void started(MuxSession session, String principal, java.net.SocketAddress remote) {
        started(session, principal);
    }

    void ended(MuxSession session);
}
