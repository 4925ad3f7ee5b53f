package dev.homeport.protocol.mux;

import dev.homeport.protocol.message.Open;

/** Policy hook of the side that accepts streams (the client): connect the stream, or refuse it. */
@FunctionalInterface
public interface StreamAcceptor {
    /**
     * Called on the session's event loop for each OPEN. The acceptor must call {@link MuxStream#attach}
     * or {@link MuxStream#refuse} (now or later); data arriving meanwhile is held, within the window.
     */
    void accept(MuxStream stream, Open open);
}
