package dev.homeport.protocol.mux;

/**
 * Where one stream is in its life (PROTOCOL.md, "Streams"): each direction ends with a FIN, and a
 * RESET, a refusal or the session's end closes both at once. {@link #apply} is the one place the
 * state changes.
 */
enum StreamState {
    /** Made by {@code newStream()}; its OPEN is not sent yet. */
    IDLE,
    /** Both directions carry data. */
    OPEN,
    /** This side sent its FIN; the peer may still send. */
    LOCAL_CLOSED,
    /** The peer sent its FIN; this side may still send. */
    REMOTE_CLOSED,
    /** Finished both ways, reset, refused, or ended with its session. */
    CLOSED;

    enum Event {
        /** This side sent OPEN, or accepted the peer's. */
        OPENED,
        FIN_SENT,
        FIN_RECEIVED,
        /** RESET or OPEN_REFUSED either way, or the session ended. */
        RESET
    }

    /**
     * @return the state after {@code event}
     * @throws IllegalStateException for an event this state cannot take; the caller checks first
     *                               (a second FIN from the peer is its error, not a transition)
     */
    StreamState apply(Event event) {
        StreamState next = switch (event) {
            case OPENED -> this == IDLE ? OPEN : null;
            case FIN_SENT -> this == OPEN ? LOCAL_CLOSED : this == REMOTE_CLOSED ? CLOSED : null;
            case FIN_RECEIVED -> this == OPEN ? REMOTE_CLOSED : this == LOCAL_CLOSED ? CLOSED : null;
            case RESET -> CLOSED;
        };
        if (next == null) {
            throw new IllegalStateException(event + " in state " + this);
        }
        return next;
    }

    /** Whether the peer may still send DATA or FIN on the stream. */
    boolean peerMaySend() {
        return this == OPEN || this == LOCAL_CLOSED;
    }

    boolean isClosed() {
        return this == CLOSED;
    }
}
