package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;

import java.util.ArrayDeque;

/**
 * The send side of one stream: bytes its handler wrote and the session has not framed yet, the
 * credit the peer granted, and the FIN that follows the data. A {@link SendScheduler} decides when
 * it sends; {@link OutboundFlow} counts its bytes into the session's. On the session's loop only.
 */
final class SendQueue {
    private final MuxStream stream;
    private ArrayDeque<ByteBuf> pending;
    private int pendingBytes;
    private int window;
    private boolean finRequested;
    private boolean finSent;
    private boolean discarded;
    // Read pacing, kept by OutboundFlow: asked to read but not yet told, and waiting in its queue.
    boolean readPaused;
    boolean pausedBySession;

    /** @param stream the stream this queue sends for; the queue only hands it back */
    SendQueue(MuxStream stream, int window) {
        this.stream = stream;
        this.window = window;
    }

    MuxStream stream() {
        return stream;
    }

    /** Takes ownership of {@code data}, a readable buffer; the caller checked {@link #accepts()}. */
    void add(ByteBuf data) {
        if (pending == null) {
            pending = new ArrayDeque<>(4);
        }
        pending.add(data);
        pendingBytes += data.readableBytes();
    }

    /** Whether data may still be added: no FIN asked for, not discarded. */
    boolean accepts() {
        return !discarded && !finRequested;
    }

    /** Asks for a FIN after the data already added. @return false if one was asked for already */
    boolean requestFin() {
        if (!accepts()) {
            return false;
        }
        finRequested = true;
        return true;
    }

    /** Adds the peer's WINDOW_UPDATE to the credit. */
    void grant(int increment) {
        if ((long) window + increment > ProtocolSettings.MAX_WINDOW) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, "WINDOW_UPDATE on " + stream
                    + " grows the window past 2^31-1 (" + window + " + " + increment + ")");
        }
        window += increment;
    }

    /** Whether one frame can go now: data within credit, or the FIN once all data went. */
    boolean hasFrame() {
        return !discarded && ((pendingBytes > 0 && window > 0) || (finRequested && !finSent && pendingBytes == 0));
    }

    /** Data bytes that may go now: unsent bytes within the stream's credit. */
    int sendableBytes() {
        return discarded ? 0 : Math.min(pendingBytes, window);
    }

    int pendingBytes() {
        return pendingBytes;
    }

    int window() {
        return window;
    }

    boolean finSent() {
        return finSent;
    }

    boolean discarded() {
        return discarded;
    }

    /**
     * Takes exactly {@code n} bytes, {@code 0 < n <= sendableBytes()}, from the head of the queue as
     * one buffer without copying, and uses {@code n} of the credit.
     */
    ByteBuf take(int n) {
        window -= n;
        pendingBytes -= n;
        ByteBuf head = pending.peek();
        if (head.readableBytes() > n) {
            return head.readRetainedSlice(n);
        }
        if (head.readableBytes() == n) {
            return pending.poll();
        }
        CompositeByteBuf composite = head.alloc().compositeBuffer(16);
        int remaining = n;
        while (remaining > 0) {
            ByteBuf b = pending.peek();
            if (b.readableBytes() <= remaining) {
                remaining -= b.readableBytes();
                composite.addComponent(true, pending.poll());
            } else {
                composite.addComponent(true, b.readRetainedSlice(remaining));
                remaining = 0;
            }
        }
        return composite;
    }

    /** Marks the FIN sent; the caller checked that {@link #hasFrame()} and nothing is pending. */
    void takeFin() {
        finSent = true;
    }

    /**
     * The stream ended: unsent data is released and nothing more is sent or added.
     *
     * @return the bytes dropped
     */
    int discard() {
        discarded = true;
        int dropped = pendingBytes;
        pendingBytes = 0;
        if (pending != null) {
            for (ByteBuf b; (b = pending.poll()) != null; ) {
                b.release();
            }
        }
        return dropped;
    }

    @Override
    public String toString() {
        return "send queue of " + stream;
    }
}
