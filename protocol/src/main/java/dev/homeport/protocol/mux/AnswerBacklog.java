package dev.homeport.protocol.mux;

/**
 * The bounds on answers to a peer that does not read (PROTOCOL.md, "Answers to a peer that does
 * not read"): control frames written and not yet on the wire, the peer's BINDs not yet answered,
 * and whether reading from the peer pauses meanwhile. The session applies what this decides to its
 * connection. On the session's loop only.
 */
final class AnswerBacklog {
    private final long maxBytes;
    private final int maxUnansweredBinds;
    private final boolean pauseWhileUnwritable;
    /** Control frames written toward the peer and not yet on the wire, in bytes. */
    private long bytes;
    /** The peer's BINDs passed on to the next handler and not answered yet. */
    private int unansweredBinds;
    private boolean readsPaused;
    private boolean flooding;

    /**
     * @param pauseWhileUnwritable whether reads pause while the connection is not writable: the relay
     *                             does; if both sides did, two bulk transfers in opposite directions
     *                             could each wait for the other to read
     */
    AnswerBacklog(long maxBytes, int maxUnansweredBinds, boolean pauseWhileUnwritable) {
        this.maxBytes = maxBytes;
        this.maxUnansweredBinds = maxUnansweredBinds;
        this.pauseWhileUnwritable = pauseWhileUnwritable;
    }

    /**
     * A control frame of {@code frameBytes} was written; it counts until {@link #onWire}.
     *
     * @return true the first time the backlog passes its limit: the peer asks for answers it does not
     *         read, and the session must end (FLOODING); never while the session is closing anyway
     */
    boolean written(int frameBytes, boolean closing) {
        bytes += frameBytes;
        if (bytes > maxBytes && !closing && !flooding) {
            flooding = true;
            return true;
        }
        return false;
    }

    void onWire(int frameBytes) {
        bytes -= frameBytes;
    }

    /** Whether the backlog passed its limit: frames read since change nothing. */
    boolean flooding() {
        return flooding;
    }

    long bytes() {
        return bytes;
    }

    long maxBytes() {
        return maxBytes;
    }

    void bindRead() {
        unansweredBinds++;
    }

    /** @return false if no BIND waited for this answer */
    boolean bindAnswered() {
        if (unansweredBinds == 0) {
            return false;
        }
        unansweredBinds--;
        return true;
    }

    /**
     * Decides whether reads pause: while {@code maxUnansweredBinds} BINDs wait, and, if so configured,
     * while the connection is not writable. Nothing changes once the session is closing.
     *
     * @return true if {@link #readsPaused} changed and must be applied
     */
    boolean updatePause(boolean writable, boolean closing) {
        boolean pause = pauseWhileUnwritable && !writable || unansweredBinds >= maxUnansweredBinds;
        if (pause == readsPaused || closing) {
            return false;
        }
        readsPaused = pause;
        return true;
    }

    boolean readsPaused() {
        return readsPaused;
    }
}
