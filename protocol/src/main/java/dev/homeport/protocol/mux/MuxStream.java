package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One bidirectional byte stream inside a session. The public methods may be called from any thread;
 * all state below is touched only on the session's event loop.
 */
public final class MuxStream {
    private final MuxSession session;
    private final int id;
    private final AtomicInteger consumedFromOtherThreads = new AtomicInteger();

    StreamHandler handler;
    /** Data that arrived before a handler was attached (client side, while dialing); bounded by the window. */
    ArrayDeque<ByteBuf> early;

    final SendQueue send;

    // Receive side: see InboundFlow.
    final InboundFlow.StreamCredit receive;
    boolean finReceived;
    boolean inFlushList;
    boolean closed;

    MuxStream(MuxSession session, int id, int sendWindow, InboundFlow.StreamCredit receive) {
        this.session = session;
        this.id = id;
        this.send = new SendQueue(this, sendWindow);
        this.receive = receive;
    }

    public int id() {
        return id;
    }

    public MuxSession session() {
        return session;
    }

    /** Connects an accepted stream to its handler; held data is delivered at once. */
    public void attach(StreamHandler handler) {
        session.run(() -> session.attach(this, handler));
    }

    /** Declines an accepted stream (OPEN_REFUSED): the local service could not be reached. */
    public void refuse(ErrorCode code, String message) {
        session.run(() -> session.refuse(this, code, message));
    }

    /** Queues data for the peer; takes ownership of {@code data}. Paced by {@link StreamHandler#onWritable}. */
    public void write(ByteBuf data) {
        session.run(() -> session.write(this, data));
    }

    /** Half-closes the sending direction: a FIN follows the data already written. */
    public void shutdownOutput() {
        session.run(() -> session.shutdownOutput(this));
    }

    /** Abandons the stream in both directions (RESET). */
    public void reset(ErrorCode code) {
        session.run(() -> session.reset(this, code, "reset locally"));
    }

    /** Returns credit to the peer for {@code bytes} that {@link StreamHandler#onData} delivered. */
    public void consumed(int bytes) {
        if (session.inEventLoop()) {
            session.consumed(this, bytes);
        } else if (consumedFromOtherThreads.getAndAdd(bytes) == 0) {
            // One hop carries all credit returned until it runs, instead of one task per write.
            session.run(() -> session.consumed(this, consumedFromOtherThreads.getAndSet(0)));
        }
    }

    @Override
    public String toString() {
        return "stream " + Integer.toUnsignedString(id);
    }
}
