package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.message.Frames;
import dev.homeport.protocol.message.Open;
import dev.homeport.protocol.message.OpenRefused;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * The streams of one session (PROTOCOL.md, "Streams"): {@link StreamOpener} opens and accepts them
 * under the id rules and limits, and this takes back what the session held for a stream when it
 * ends; {@link StreamFrames} brings it the peer's other stream frames. Streams see it as their
 * {@link StreamParent}. On the session's loop, except {@link #newStream}, {@link #open} and {@link #size}.
 */
final class SessionStreams implements StreamParent, StreamFrames.Streams, SessionShutdown.Streams {
    private final SessionWriter writer;
    private final SessionShutdown shutdown;
    private final RoundTripTimes rtt;
    private final HandshakeCompleted peer;
    private final StreamTable table;
    private final InboundFlow inbound;
    private final StreamSender sender;
    private final StreamOpener opener;
    private final List<MuxStream> readComplete = new ArrayList<>();
    /** Run once no stream is open. */
    private final List<Runnable> whenIdle = new ArrayList<>();
    private SessionConnection connection;

    /** @param scheduler the policy that picks which stream sends next */
    SessionStreams(SessionWriter writer, SessionShutdown shutdown, RoundTripTimes rtt, int localFirstId,
                   ProtocolSettings local, HandshakeCompleted peer, StreamAcceptor acceptor, SendScheduler scheduler) {
        this.writer = writer;
        this.shutdown = shutdown;
        this.rtt = rtt;
        this.peer = peer;
        this.table = new StreamTable(localFirstId, peer.peerMaxConcurrentStreams(), local.maxConcurrentStreams());
        this.inbound = new InboundFlow(local, (id, increment) -> writer.writeControl(Frames.windowUpdate(connection.alloc(), id, increment)));
        this.sender = new StreamSender(peer.peerMaxFramePayload(), scheduler, writer::scheduleFlush, this::finished);
        this.opener = new StreamOpener(table, writer, shutdown, sender, acceptor, this::newStream);
    }

    /** Starts on the session's connection: the session window's grant is the first frame. */
    void bind(SessionConnection connection) {
        this.connection = connection;
        opener.bind(connection);
        sender.bind(writer);
        inbound.grantSessionWindow();
    }

    @Override
    public MuxStream get(int id) {
        return table.get(id);
    }

    @Override
    public void requireKnown(int id, FrameType type) {
        table.requireKnown(id, type);
    }

    /** A stream this side opens: {@link MuxStream#open} gives it its id. From any thread. */
    MuxStream newStream() {
        return newStream(0);
    }

    private MuxStream newStream(int id) {
        return new MuxStream(this, id, peer.peerInitialWindow(), inbound.newStream(connection.nanoTime()));
    }

    int size() {
        return table.size();
    }

    @Override
    public boolean isEmpty() {
        return table.isEmpty();
    }

    InboundFlow inbound() {
        return inbound;
    }

    StreamSender sender() {
        return sender;
    }

    /** The peer's OPEN. */
    void onOpen(Frame frame) {
        opener.onOpen(frame);
    }

    /** Runs {@code task} once no stream is open, at once if none is. */
    void whenIdle(Runnable task) {
        if (table.isEmpty()) {
            task.run();
        } else {
            whenIdle.add(task);
        }
    }

    @Override
    public void closeAll(ErrorCode code, String reason) {
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

    // ---- what streams ask of the session ----

    @Override
    public void run(Runnable task) {
        if (connection.inEventLoop()) {
            task.run();
        } else {
            connection.execute(task);
        }
    }

    @Override
    public boolean inEventLoop() {
        return connection.inEventLoop();
    }

    @Override
    public void open(MuxStream s, Open open, StreamHandler handler) {
        opener.open(s, open, handler);
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
        long now = connection.nanoTime();
        inbound.consumed(s.receive, s.id(), bytes, s.state().peerMaySend(), now, rtt.minNanos(), rtt.queueDelayNanos(now));
    }

    @Override
    public void end(MuxStream s, FrameType farewell, ErrorCode code, String reason) {
        if (s.state() != StreamState.IDLE) { // a stream whose OPEN is still queued ends without a word
            writer.writeControl(farewell == FrameType.RESET ? Frames.reset(connection.alloc(), s.id(), code)
                    : new OpenRefused(code, reason).toFrame(connection.alloc(), s.id()));
        }
        closeStream(s, code, reason, false);
    }

    @Override
    public void readCompleteLater(MuxStream s) {
        readComplete.add(s);
    }

    // ---- ending ----

    @Override
    public void resetStream(MuxStream s, ErrorCode code, String reason) {
        writer.writeControl(Frames.reset(connection.alloc(), s.id(), code));
        closeStream(s, code, reason, true);
    }

    @Override
    public void closedByPeer(MuxStream s, ErrorCode code, String reason) {
        closeStream(s, code, reason, true);
    }

    @Override
    public void finished(MuxStream s) {
        forget(s, ErrorCode.NO_ERROR, "finished", false);
    }

    private void closeStream(MuxStream s, ErrorCode code, String reason, boolean notify) {
        if (s.apply(StreamState.Event.RESET)) {
            forget(s, code, reason, notify);
        }
    }

    /** A stream just closed (now {@link StreamState#CLOSED}): the session takes back what it held for it. */
    private void forget(MuxStream s, ErrorCode code, String reason, boolean notify) {
        table.remove(s);
        boolean closing = shutdown.closing();
        inbound.closed(s.receive, closing);
        sender.discard(s, !closing);
        s.ended(code, reason, notify);
        if (table.isEmpty()) {
            List<Runnable> idle = new ArrayList<>(whenIdle);
            whenIdle.clear();
            idle.forEach(Runnable::run);
            shutdown.lastStreamClosed();
        }
    }
}
