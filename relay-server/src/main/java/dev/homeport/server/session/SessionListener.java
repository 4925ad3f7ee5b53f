package dev.homeport.server.session;

import dev.homeport.protocol.mux.MuxSession;

/** The relay's view of its sessions: told when one starts and when it ends. */
public interface SessionListener {
    void started(MuxSession session, String principal);

    void ended(MuxSession session);
}
