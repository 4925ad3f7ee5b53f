package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;

/**
 * Receive credit of one session (PROTOCOL.md, "Flow control"): the session window all streams
 * share, and each stream's auto-tuned {@link ReceiveWindow}, whose growth the session window bounds.
 * It checks what the peer sends against both and decides when credit goes back; {@link Updates}
 * sends it. On the session's loop only.
 */
final class InboundFlow {
    /** Sends credit back to the peer. */
    @FunctionalInterface
    interface Updates {
        /** @param streamId 0 for the session window */
        void windowUpdate(int streamId, int increment);
    }

    private final long sessionWindow;
    private final int initialStreamWindow;
    private final int maxStreamWindow;
    private final long targetQueueDelayNanos;
    private final Updates updates;
    /** What the peer may still send over all streams. */
    private long sessionCredit = ProtocolSettings.INITIAL_SESSION_WINDOW;
    /** Bytes delivered or dropped and not yet returned to the session window. */
    private long sessionUnacked;
    /** How far all open streams' windows grew above their initial window. */
    private long growthUsed;

    InboundFlow(ProtocolSettings local, Updates updates) {
        this.sessionWindow = local.sessionWindow();
        this.initialStreamWindow = local.initialStreamWindow();
        this.maxStreamWindow = local.maxStreamWindow();
        this.targetQueueDelayNanos = local.targetQueueDelay().toNanos();
        this.updates = updates;
    }

    /** The session's first frame: the part of {@code sessionWindow} above the initial 1 MiB, if any. */
    void grantSessionWindow() {
        long grant = sessionWindow - ProtocolSettings.INITIAL_SESSION_WINDOW;
        if (grant > 0) {
            sessionCredit += grant;
            updates.windowUpdate(0, (int) grant);
        }
    }

    StreamCredit newStream(long nowNanos) {
        return new StreamCredit(new ReceiveWindow(initialStreamWindow, maxStreamWindow, nowNanos));
    }

    /** Counts a DATA payload against the session window, whichever stream it is for. */
    void received(int bytes) {
        if (bytes > sessionCredit) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, "DATA of " + bytes + " bytes beyond the "
                    + sessionCredit + " bytes of session credit the peer had");
        }
        sessionCredit -= bytes;
    }

    /** Counts a DATA payload against its stream's window, after {@link #received(int)}. */
    void received(StreamCredit stream, int streamId, int bytes) {
        if (!stream.window.receive(bytes)) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, "stream " + Integer.toUnsignedString(streamId)
                    + " sent " + bytes + " bytes beyond the " + stream.window.credit() + " bytes of credit it had");
        }
    }

    /** Bytes this side threw away (closed stream, DATA after FIN): back to the session window at once. */
    void dropped(long bytes) {
        returnToSession(bytes);
    }

    /**
     * Bytes of a stream its handler delivered: back to the session window, and to the stream's
     * window while the peer may still send on it.
     */
    void consumed(StreamCredit stream, int streamId, int bytes, boolean peerMaySend, long nowNanos, long minRttNanos,
                  long queueDelayNanos) {
        stream.undelivered -= bytes;
        returnToSession(bytes);
        if (!peerMaySend) {
            return; // the peer sends no more on this stream: no stream credit needed
        }
        ReceiveWindow window = stream.window;
        int grownBefore = window.grown();
        int increment = window.consume(bytes, nowNanos, minRttNanos, queueDelayNanos, targetQueueDelayNanos,
                Math.max(0, sessionWindow - growthUsed));
        growthUsed += window.grown() - grownBefore;
        if (increment > 0) {
            updates.windowUpdate(streamId, increment);
        }
    }

    /**
     * A stream ended: its growth goes back to the budget, and its bytes not yet delivered to the
     * session window (not counted again if delivered later), unless the whole session is closing.
     */
    void closed(StreamCredit stream, boolean sessionClosing) {
        growthUsed -= stream.window.grown();
        if (stream.undelivered > 0 && !sessionClosing) {
            returnToSession(stream.undelivered);
        }
        stream.undelivered = 0;
    }

    /** Returns bytes to the session window in updates of a quarter window: few updates, ample credit. */
    private void returnToSession(long bytes) {
        sessionUnacked += bytes;
        if (sessionUnacked >= sessionWindow / 4) {
            sessionCredit += sessionUnacked;
            updates.windowUpdate(0, (int) sessionUnacked);
            sessionUnacked = 0;
        }
    }

    /** The receive side of one stream. */
    static final class StreamCredit {
        private final ReceiveWindow window;
        /** Bytes received and not yet reported delivered by the handler. */
        private int undelivered;

        private StreamCredit(ReceiveWindow window) {
            this.window = window;
        }

        /** {@code bytes} were handed to (or held for) the handler, which reports them once delivered. */
        void held(int bytes) {
            undelivered += bytes;
        }

        int undelivered() {
            return undelivered;
        }

        /** The stream's receive window as auto-tuned so far. */
        int window() {
            return window.window();
        }
    }
}
