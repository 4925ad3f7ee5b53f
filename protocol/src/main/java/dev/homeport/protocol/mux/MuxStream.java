package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Open;
import dev.homeport.protocol.message.PeerEndpoints;
import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One bidirectional byte stream inside a session. The public methods may be called from any thread;
 * the rest runs on the session's event loop, which owns the stream's state. A stream this side opens
 * comes from {@link MuxSession#newStream()} and starts with {@link #open}; one the peer opens reaches
 * the {@link StreamAcceptor}, which {@link #attach}es or {@link #refuse}s it.
 */
public final class MuxStream {
    private final StreamParent parent;
    private final AtomicInteger consumedFromOtherThreads = new AtomicInteger();
    /** 0 until {@link #open} takes one; never changes after. */
    private volatile int id;
    private StreamState state = StreamState.IDLE;
    private StreamHandler handler;
    /** Data that arrived before a handler was attached (client side, while dialing); bounded by the window. */
    private ArrayDeque<ByteBuf> early;
    private boolean readCompletePending;
    final SendQueue send;
    final InboundFlow.StreamCredit receive;

    MuxStream(StreamParent parent, int id, int sendWindow, InboundFlow.StreamCredit receive) {
        this.parent = parent;
        this.id = id;
        this.send = new SendQueue(this, sendWindow);
        this.receive = receive;
    }

    /** The stream's id, 0 before {@link #open}. */
    public int id() {
        return id;
    }

    /**
     * Opens this stream to the peer, its data going to and from {@code handler}. The OPEN goes out on
     * the session's loop, ahead of anything written after this call. If the session cannot take the
     * stream (closing, or the peer's stream limit), the handler hears {@link StreamHandler#onClosed}.
     */
    public void open(int tunnelId, String peerAddress, PeerEndpoints endpoints, StreamHandler handler) {
        if (id != 0) {
            throw new IllegalStateException(this + " is open already");
        }
        parent.open(this, new Open(tunnelId, peerAddress, endpoints), handler);
    }

    /** As above, with no addresses in the OPEN (PROTOCOL.md, "OPEN addresses"). */
    public void open(int tunnelId, String peerAddress, StreamHandler handler) {
        open(tunnelId, peerAddress, PeerEndpoints.UNKNOWN, handler);
    }

    /** Connects an accepted stream to its handler; held data is delivered at once. */
    public void attach(StreamHandler handler) {
        parent.run(() -> attachNow(handler));
    }

    /** Declines an accepted stream (OPEN_REFUSED): the local service could not be reached. */
    public void refuse(ErrorCode code, String message) {
        parent.run(() -> {
            if (!state.isClosed()) {
                parent.end(this, FrameType.OPEN_REFUSED, code, message);
            }
        });
    }

    /** Queues data for the peer; takes ownership of {@code data}. Paced by {@link StreamHandler#onWritable}. */
    public void write(ByteBuf data) {
        parent.run(() -> {
            if (state.isClosed() || id == 0 || !send.accepts() || !data.isReadable()) {
                data.release();
            } else {
                parent.send(this, data);
            }
        });
    }

    /** Half-closes the sending direction: a FIN follows the data already written. */
    public void shutdownOutput() {
        parent.run(() -> {
            if (!state.isClosed() && id != 0 && send.requestFin()) {
                parent.send(this, null);
            }
        });
    }

    /** Abandons the stream in both directions (RESET). */
    public void reset(ErrorCode code) {
        parent.run(() -> {
            if (!state.isClosed()) {
                parent.end(this, FrameType.RESET, code, "reset locally");
            }
        });
    }

    /** Returns credit to the peer for {@code bytes} that {@link StreamHandler#onData} delivered. */
    public void consumed(int bytes) {
        if (parent.inEventLoop()) {
            consumedNow(bytes);
        } else if (consumedFromOtherThreads.getAndAdd(bytes) == 0) {
            // One hop carries all credit returned until it runs, instead of one task per write.
            parent.run(() -> consumedNow(consumedFromOtherThreads.getAndSet(0)));
        }
    }

    private void consumedNow(int bytes) {
        if (!state.isClosed() && bytes > 0) {
            parent.consumed(this, bytes); // a closed stream's undelivered bytes went back when it closed
        }
    }

    private void attachNow(StreamHandler h) {
        if (state.isClosed()) {
            h.onClosed(ErrorCode.CANCELLED, "stream ended before it was connected");
            return;
        }
        handler = h;
        if (early != null) {
            for (ByteBuf b; (b = early.poll()) != null; ) {
                h.onData(b);
            }
            early = null;
            h.onFlush();
        }
        if (state == StreamState.REMOTE_CLOSED) {
            h.onRemoteFin();
        }
        parent.readMore(this);
    }

    // ---- the session's side, on its loop ----

    /** Called by the session under its id lock, before the OPEN is queued. */
    void assign(int streamId, StreamHandler h) {
        id = streamId;
        handler = h;
    }

    StreamState state() {
        return state;
    }

    StreamHandler handler() {
        return handler;
    }

    /**
     * Applies one event of the stream's life; a FIN from the peer is passed to the handler.
     *
     * @return true if this event closed the stream, which the session then forgets
     */
    boolean apply(StreamState.Event event) {
        boolean wasClosed = state.isClosed();
        state = state.apply(event);
        if (event == StreamState.Event.FIN_RECEIVED && handler != null) {
            handler.onRemoteFin();
        }
        return !wasClosed && state.isClosed();
    }

    /** DATA from the peer, owned by the stream now: to the handler, or held until one is attached. */
    void deliver(ByteBuf data) {
        if (handler == null) {
            if (early == null) {
                early = new ArrayDeque<>(4);
            }
            early.add(data);
            return;
        }
        handler.onData(data);
        if (!readCompletePending) {
            readCompletePending = true;
            parent.readCompleteLater(this);
        }
    }

    /** The read that delivered data ended: a good moment for the handler to flush. */
    void readComplete() {
        readCompletePending = false;
        if (!state.isClosed() && handler != null) {
            handler.onFlush();
        }
    }

    /** After the session forgot the closed stream: held data is released, and the handler told if asked. */
    void ended(ErrorCode code, String reason, boolean notify) {
        if (early != null) {
            for (ByteBuf b; (b = early.poll()) != null; ) {
                b.release();
            }
        }
        if (notify && handler != null) {
            handler.onClosed(code, reason);
        }
    }

    @Override
    public String toString() {
        return "stream " + Integer.toUnsignedString(id);
    }
}
