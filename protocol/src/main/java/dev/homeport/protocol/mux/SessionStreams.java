package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.message.Frames;
import dev.homeport.protocol.message.Open;
import dev.homeport.protocol.message.OpenRefused;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Promise;

import java.util.ArrayList;
import java.util.List;

/**
 * The streams of one session (PROTOCOL.md, "Streams"): it opens and accepts them under the id rules
 * and limits, and takes back what the session held for a stream when it ends; {@link StreamFrames}
 * brings it the peer's other stream frames. Streams see it as their {@link StreamParent}. On the
 * session's loop, except {@link #newStream}, {@link #open} and {@link #size}.
 */
final class SessionStreams implements StreamParent {
    private final SessionWriter writer;
    private final SessionShutdown shutdown;
    private final RoundTripTimes rtt;
    private final HandshakeCompleted peer;
    private final StreamAcceptor acceptor;
    private final StreamTable table;
    private final InboundFlow inbound;
    private final StreamSender sender;
    private final List<MuxStream> readComplete = new ArrayList<>();
    private ChannelHandlerContext ctx;
    private Promise<Void> idle;

    /** @param scheduler the policy that picks which stream sends next */
    SessionStreams(SessionWriter writer, SessionShutdown shutdown, RoundTripTimes rtt, int localFirstId,
                   ProtocolSettings local, HandshakeCompleted peer, StreamAcceptor acceptor, SendScheduler scheduler) {
        this.writer = writer;
        this.shutdown = shutdown;
        this.rtt = rtt;
        this.peer = peer;
        this.acceptor = acceptor;
        this.table = new StreamTable(localFirstId, peer.peerMaxConcurrentStreams(), local.maxConcurrentStreams());
        this.inbound = new InboundFlow(local, (id, increment) -> writer.writeControl(Frames.windowUpdate(ctx.alloc(), id, increment)));
        this.sender = new StreamSender(peer.peerMaxFramePayload(), scheduler, writer::scheduleFlush,
                s -> forget(s, ErrorCode.NO_ERROR, "finished", false));
    }

    /** Starts on the session's connection: the session window's grant is the first frame. */
    void bind(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        sender.bind(writer);
        inbound.grantSessionWindow();
    }

    /** The open stream of {@code id}, or null for one closed here or never opened. */
    MuxStream get(int id) {
        return table.get(id);
    }

    /** A frame for an id not open here: fine for a stream closed here, a session error for one never opened. */
    void requireKnown(int id, FrameType type) {
        table.requireKnown(id, type);
    }

    MuxStream newStream() {
        return new MuxStream(this, 0, peer.peerInitialWindow(), inbound.newStream(nanoTime()));
    }

    int size() {
        return table.size();
    }

    boolean isEmpty() {
        return table.isEmpty();
    }

    InboundFlow inbound() {
        return inbound;
    }

    StreamSender sender() {
        return sender;
    }

    /** Completes {@code p} once no stream is open, at once if none is. */
    void whenIdle(Promise<Void> p) {
        if (table.isEmpty()) {
            p.trySuccess(null);
            return;
        }
        if (idle == null) {
            idle = ctx.executor().newPromise();
        }
        idle.addListener(f -> p.trySuccess(null));
    }

    /** Ends every open stream without frames, its handler told why. */
    void closeAll(ErrorCode code, String reason) {
        for (MuxStream s : table.snapshot()) {
            closeStream(s, code, reason, true);
        }
    }

    /** The read burst ended: streams that received data let their handlers flush. */
    void readComplete() {
        for (MuxStream s : readComplete) {
            s.readComplete();
        }
        readComplete.clear();
    }

    // ---- the peer opens a stream ----

    void onOpen(Frame frame) {
        int id = frame.streamId();
        if (acceptor == null || !table.remote().owns(id) || id < 0) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "OPEN of stream " + Integer.toUnsignedString(id)
                    + " is not allowed from this peer");
        }
        table.remote().opened(id);
        Open open = Open.decode(frame.payload());
        if (shutdown.goAwaySent()) {
            writer.writeControl(Frames.reset(ctx.alloc(), id, ErrorCode.SHUTDOWN));
            return;
        }
        if (!table.remote().canOpen()) {
            // A stream error, not a session error: the relay is not told the client's limit (HELLO has no field for it).
            writer.writeControl(Frames.reset(ctx.alloc(), id, ErrorCode.STREAM_LIMIT));
            return;
        }
        MuxStream s = new MuxStream(this, id, peer.peerInitialWindow(), inbound.newStream(nanoTime()));
        s.apply(StreamState.Event.OPENED);
        table.add(s);
        acceptor.accept(s, open);
    }

    // ---- what streams ask of the session ----

    @Override
    public void run(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            ctx.executor().execute(task);
        }
    }

    @Override
    public boolean inEventLoop() {
        return ctx.executor().inEventLoop();
    }

    @Override
    public void open(MuxStream s, Open open, StreamHandler handler) {
        // Callers on different threads must queue their OPENs in the order they took ids: the peer
        // requires every new id to be higher than the last, so taking one and queueing is one step.
        StreamTable.Endpoint ids = table.local();
        synchronized (ids) {
            s.assign(ids.takeNextId(), handler);
            ctx.executor().execute(() -> openNow(s, open));
        }
    }

    @Override
    public void send(MuxStream s, ByteBuf data) {
        sender.send(s, data);
    }

    @Override
    public void readMore(MuxStream s) {
        sender.readMore(s);
    }

    @Override
    public void consumed(MuxStream s, int bytes) {
        inbound.consumed(s.receive, s.id(), bytes, s.state().peerMaySend(), nanoTime(), rtt.minNanos());
    }

    @Override
    public void end(MuxStream s, FrameType farewell, ErrorCode code, String reason) {
        if (s.state() != StreamState.IDLE) { // a stream whose OPEN is still queued ends without a word
            writer.writeControl(farewell == FrameType.RESET ? Frames.reset(ctx.alloc(), s.id(), code)
                    : new OpenRefused(code, reason).toFrame(ctx.alloc(), s.id()));
        }
        closeStream(s, code, reason, false);
    }

    @Override
    public void readCompleteLater(MuxStream s) {
        readComplete.add(s);
    }

    // ---- opening and ending ----

    /** The loop's clock, which is the system clock in production and a controllable one under test. */
    private long nanoTime() {
        return ctx.channel().eventLoop().ticker().nanoTime();
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
            writer.writeControl(open.toFrame(ctx.alloc(), s.id()));
            sender.readMore(s);
        }
    }

    /** A stream that never went out: what its handler wrote meanwhile is dropped, and the handler told. */
    private void failOpen(MuxStream s, ErrorCode code, String reason) {
        s.apply(StreamState.Event.RESET);
        sender.discard(s, false);
        s.ended(code, reason, true);
    }

    void resetStream(MuxStream s, ErrorCode code, String reason) {
        writer.writeControl(Frames.reset(ctx.alloc(), s.id(), code));
        closeStream(s, code, reason, true);
    }

    void closeStream(MuxStream s, ErrorCode code, String reason, boolean notify) {
        if (s.apply(StreamState.Event.RESET)) {
            forget(s, code, reason, notify);
        }
    }

    /** A stream just closed (now {@link StreamState#CLOSED}): the session takes back what it held for it. */
    void forget(MuxStream s, ErrorCode code, String reason, boolean notify) {
        table.remove(s);
        boolean closing = shutdown.closing();
        inbound.closed(s.receive, closing);
        sender.discard(s, !closing);
        s.ended(code, reason, notify);
        if (table.isEmpty()) {
            if (idle != null) {
                Promise<Void> p = idle;
                idle = null;
                p.trySuccess(null);
            }
            shutdown.lastStreamClosed();
        }
    }
}
