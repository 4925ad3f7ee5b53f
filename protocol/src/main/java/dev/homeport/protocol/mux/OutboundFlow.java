package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Send credit of one session and the pacing of its streams' sources (PROTOCOL.md, "Session window"
 * and "Fair sending"): a stream's source is read only while the stream holds less than its credit
 * and a few frames unsent, and all streams less than the session may send (or one read-ahead).
 * Streams paused for the session read again in the order they paused. On the session's loop only.
 */
final class OutboundFlow {
    private final int readAheadLimit;
    private final Consumer<SendQueue> askToRead;
    private final ArrayDeque<SendQueue> pausedBySession = new ArrayDeque<>();
    /** What the peer still lets this side send over all streams. */
    private long credit = ProtocolSettings.INITIAL_SESSION_WINDOW;
    /** Bytes written by all streams' handlers and not yet framed. */
    private long pendingBytes;

    /**
     * @param readAheadLimit the most unsent bytes one stream's source is read ahead (4 peer frames)
     * @param askToRead      tells a stream's handler to read its source once more
     */
    OutboundFlow(int readAheadLimit, Consumer<SendQueue> askToRead) {
        this.readAheadLimit = readAheadLimit;
        this.askToRead = askToRead;
    }

    long credit() {
        return credit;
    }

    long pendingBytes() {
        return pendingBytes;
    }

    /** Adds the peer's session WINDOW_UPDATE, then lets paused streams read if the session has room. */
    void grant(int increment) {
        if (credit + increment > ProtocolSettings.MAX_WINDOW) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, "session WINDOW_UPDATE grows the session window past "
                    + "2^31-1 (" + credit + " + " + increment + ")");
        }
        credit += increment;
        resumePaused();
    }

    /** A handler's write: {@code data} joins the stream's queue, its bytes the session's count. */
    void add(SendQueue queue, ByteBuf data) {
        pendingBytes += data.readableBytes();
        queue.add(data);
    }

    /** Takes {@code n} bytes of the stream's queue for a DATA frame, using stream and session credit. */
    ByteBuf take(SendQueue queue, int n) {
        pendingBytes -= n;
        credit -= n;
        return queue.take(n);
    }

    /**
     * The stream ended: its unsent bytes leave the session's count.
     *
     * @return the bytes dropped, which may unblock the session
     */
    int discard(SendQueue queue) {
        int dropped = queue.discard();
        pendingBytes -= dropped;
        return dropped;
    }

    /** Asks the stream's source for more now if it may read, else once it may. */
    void requestRead(SendQueue queue) {
        queue.readPaused = true;
        maybeResumeReading(queue);
    }

    /** Tells the stream's handler to read if it asked and now may; one paused by the session waits in line. */
    void maybeResumeReading(SendQueue queue) {
        if (!queue.readPaused || queue.discarded()) {
            return;
        }
        if (mayRead(queue)) {
            queue.readPaused = false;
            askToRead.accept(queue);
        } else if (sessionBlocked() && !queue.pausedBySession) {
            queue.pausedBySession = true;
            pausedBySession.add(queue);
        }
    }

    /** Lets streams paused for the session read again, in the order they paused, while it has room. */
    void resumePaused() {
        for (SendQueue q; !sessionBlocked() && (q = pausedBySession.poll()) != null; ) {
            q.pausedBySession = false;
            maybeResumeReading(q);
        }
    }

    private boolean mayRead(SendQueue queue) {
        return queue.pendingBytes() < Math.min(queue.window(), readAheadLimit) && !sessionBlocked();
    }

    private boolean sessionBlocked() {
        return pendingBytes >= Math.max(readAheadLimit, credit);
    }
}
