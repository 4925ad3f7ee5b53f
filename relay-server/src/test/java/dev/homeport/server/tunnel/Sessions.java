package dev.homeport.server.tunnel;

import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.mux.MuxSession;

/** Relay-side sessions as the registries see them: an id, never a byte sent (the registries only hold them). */
final class Sessions {
    private Sessions() {
    }

    static MuxSession session(String id) {
        return new MuxSession(MuxSession.Role.RELAY, ProtocolSettings.defaults(),
                new HandshakeCompleted(1, id, "alice", "test", 1 << 16, 1 << 16, 100, 0), null);
    }
}
