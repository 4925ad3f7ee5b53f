package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.message.Frames;
import dev.homeport.protocol.message.Open;

import java.util.function.IntFunction;

/**
 * Opens the streams of one session, both ways, under the id rules and limits (PROTOCOL.md,
 * "Streams"): this side's OPENs go out in id order, or the stream fails at once when the session
 * is going away or the peer's limit is reached; the peer's OPEN is checked, then refused with a
 * RESET or passed to the {@link StreamAcceptor}. On the session's loop, except {@link #open}.
 */
final class StreamOpener {
    private final StreamTable table;
    private final SessionWriter writer;
    private final SessionShutdown shutdown;
    private final StreamSender sender;
    private final StreamAcceptor acceptor;
    private final IntFunction<MuxStream> newStream;
    private SessionConnection connection;

    /**
     * @param acceptor  policy for streams the peer opens, or {@code null} if the peer may open none
     * @param newStream makes the stream of an id the peer opened
     */
    StreamOpener(StreamTable table, SessionWriter writer, SessionShutdown shutdown, StreamSender sender,
                 StreamAcceptor acceptor, IntFunction<MuxStream> newStream) {
        this.table = table;
        this.writer = writer;
        this.shutdown = shutdown;
        this.sender = sender;
        this.acceptor = acceptor;
        this.newStream = newStream;
    }

    void bind(SessionConnection connection) {
        this.connection = connection;
    }

    /** Takes the stream's id and queues its OPEN; from any thread. */
    void open(MuxStream s, Open open, StreamHandler handler) {
        // Callers on different threads must queue their OPENs in the order they took ids: the peer
        // requires every new id to be higher than the last, so taking one and queueing is one step.
        StreamTable.Endpoint ids = table.local();
        synchronized (ids) {
            s.assign(ids.takeNextId(), handler);
            connection.execute(() -> openNow(s, open));
        }
    }

    void onOpen(Frame frame) {
        int id = frame.streamId();
        if (acceptor == null || !table.remote().owns(id) || id < 0) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "OPEN of stream " + Integer.toUnsignedString(id)
                    + " is not allowed from this peer");
        }
        table.remote().opened(id);
        Open open = Open.decode(frame.payload());
        if (shutdown.goAwaySent()) {
            writer.writeControl(Frames.reset(connection.alloc(), id, ErrorCode.SHUTDOWN));
            return;
        }
        if (!table.remote().canOpen()) {
            // A stream error, not a session error: the relay is not told the client's limit (HELLO has no field for it).
            writer.writeControl(Frames.reset(connection.alloc(), id, ErrorCode.STREAM_LIMIT));
            return;
        }
        MuxStream s = newStream.apply(id);
        s.apply(StreamState.Event.OPENED);
        table.add(s);
        acceptor.accept(s, open);
    }

    private void openNow(MuxStream s, Open open) {
        if (s.state().isClosed()) {
            return; // reset before its OPEN went out
        }
        if (shutdown.refusesOpens()) {
            failOpen(s, ErrorCode.SHUTDOWN, "session is closing");
        } else if (s.id() <= 0) {
            failOpen(s, ErrorCode.STREAM_LIMIT, "stream ids exhausted on this session");
            shutdown.close(ErrorCode.NO_ERROR, "stream ids exhausted, reconnect");
        } else if (!table.local().canOpen()) {
            failOpen(s, ErrorCode.STREAM_LIMIT, "the peer accepts at most " + table.local().maxStreams() + " concurrent streams");
        } else {
            s.apply(StreamState.Event.OPENED);
            table.add(s);
            writer.writeControl(open.toFrame(connection.alloc(), s.id()));
            sender.readMore(s);
        }
    }

    /** A stream that never went out: what its handler wrote meanwhile is dropped, and the handler told. */
    private void failOpen(MuxStream s, ErrorCode code, String reason) {
        s.apply(StreamState.Event.RESET);
        sender.discard(s, false);
        s.ended(code, reason, true);
    }
}
