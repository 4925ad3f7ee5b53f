package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream multiplexer of one established session (PROTOCOL.md, "Streams" and "Flow control").
 * Installed after the handshake, it owns every stream on the connection. This class is the pipeline
 * adapter and the public API; its parts do the work on the {@link PipelineConnection}: {@link SessionStreams},
 * {@link StreamOpener} and {@link StreamFrames} (the streams, their frames and credit), {@link SessionWriter}
 * (what goes out, one flush per loop turn), {@link SessionShutdown} (GO_AWAY, DRAINED and errors),
 * {@link KeepAlive} and {@link AnswerBacklog}.
 * Session frames it does not own (BIND and its replies) pass to the next handler.
 */
public final class MuxSession extends ChannelDuplexHandler {
    public enum Role {
        /** Opens odd stream ids. */
        RELAY(1),
        /** Opens even stream ids. */
        CLIENT(2);

        final int firstStreamId;

        Role(int firstStreamId) {
            this.firstStreamId = firstStreamId;
        }
    }

    private final HandshakeCompleted peer;
    private final RoundTripTimes rtt;
    private static final Logger log = LoggerFactory.getLogger(MuxSession.class);

    private final AnswerBacklog backlog;
    private final AnswerRate answerRate;
    private final SessionWriter writer;
    private final SessionShutdown shutdown;
    private final SessionStreams streams;
    private final StreamFrames frames;
    private final KeepAlive keepAlive;
    private ChannelHandlerContext ctx;
    private PipelineConnection connection;
    private EventLoop loop;

    /** @param acceptor policy for streams the peer opens, or {@code null} if the peer may open none */
    public MuxSession(Role role, ProtocolSettings local, HandshakeCompleted peer, StreamAcceptor acceptor) {
        this(role, local, peer, acceptor, new RoundRobinScheduler(peer.peerMaxFramePayload()));
    }

    /** @param scheduler the policy that picks which stream sends next (PROTOCOL.md, "Fair sending") */
    MuxSession(Role role, ProtocolSettings local, HandshakeCompleted peer, StreamAcceptor acceptor, SendScheduler scheduler) {
        this.peer = peer;
        this.rtt = new RoundTripTimes(peer.handshakeRttNanos());
        this.backlog = new AnswerBacklog(local.maxControlBacklog(), local.maxUnansweredBinds(), role == Role.RELAY);
        this.answerRate = new AnswerRate(local.maxAnswerRate());
        this.writer = new SessionWriter(peer.sessionId(), backlog);
        this.shutdown = new SessionShutdown(peer.sessionId(), local.keepAliveTimeout(), writer);
        this.streams = new SessionStreams(writer, shutdown, rtt, role.firstStreamId, local, peer, acceptor, scheduler);
        this.frames = new StreamFrames(streams, streams.inbound(), streams.sender());
        this.keepAlive = new KeepAlive(peer.sessionId(), local, rtt, writer, shutdown, backlog);
    }

    // ---- public API, callable from any thread ----

    public String id() {
        return peer.sessionId();
    }

    /**
     * A stream to open to the peer: build its handler with it, then call {@link MuxStream#open}, which
     * takes its id and queues the OPEN. Callable from any thread.
     */
    public MuxStream newStream() {
        return streams.newStream();
    }

    /**
     * Sends GO_AWAY: no new streams either way; open streams go on. Once none is left the session
     * closes itself, after both sides said DRAINED. See {@link #whenIdle()} and {@link #whenClosed()}.
     */
    public void goAway(ErrorCode code, String message) {
        run(() -> shutdown.goAway(code, message));
    }

    /** The connection under this session, for its socket options; {@code null} before the session is in a pipeline. */
    public io.netty.channel.Channel channel() {
        return ctx == null ? null : ctx.channel();
    }

    /** Completes when the connection under this session has closed. */
    public Future<Void> whenClosed() {
        return ctx.channel().closeFuture();
    }

    /** Completes when no stream is open (at once if none is). */
    public Future<Void> whenIdle() {
        Promise<Void> p = loop.newPromise();
        run(() -> streams.whenIdle(() -> p.trySuccess(null)));
        return p;
    }

    /** Closes the session at once with GO_AWAY carrying the reason; open streams end with it. */
    public void close(ErrorCode code, String message) {
        run(() -> shutdown.close(code, message));
    }

    /** The loop every stream operation runs on; sockets registered here talk to the session without a hop. */
    public EventLoop eventLoop() {
        return loop;
    }

    public int openStreams() {
        return streams.size();
    }

    /**
     * Bytes the streams read from their sources and have not yet framed for the peer (waiting for
     * credit or a writable connection), over all streams; read on the session's loop. This, with
     * the connection's outbound buffer, is what the session holds for a peer that does not read.
     */
    public Future<Long> unsentBytes() {
        return loop.submit(() -> streams.sender().pendingBytes());
    }

    public long bytesReceived() {
        return frames.bytesReceived();
    }

    public long bytesSent() {
        return streams.sender().bytesSent();
    }

    /** Smoothed round-trip time from PINGs, queueing included, in nanoseconds. */
    public long rttNanos() {
        return rtt.smoothedNanos();
    }

    /** Why the session ended, once it has: the reason sent or received in GO_AWAY, or the error. */
    public String closeReason() {
        return shutdown.closeReason();
    }

    private void run(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    // ---- pipeline events ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = ctx.channel().eventLoop();
        this.connection = new PipelineConnection(ctx);
        writer.bind(connection, shutdown, streams.sender());
        shutdown.bind(connection, streams);
        keepAlive.start(connection);
        streams.bind(connection); // sends the session grant, before the first PING runs
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (shutdown.closing() || backlog.flooding()) {
            frame.release(); // the session already failed or is closing: frames read with it change nothing
            return;
        }
        keepAlive.frameRead();
        FrameType type = frame.type();
        if (asksForAnswer(frame) && !answerRate.ask(connection.nanoTime())) {
            frame.release();
            log.warn("event=session_flooding session={} max_answer_rate={}", id(), answerRate.perSecond());
            shutdown.close(ErrorCode.FLOODING, "more than " + answerRate.perSecond()
                    + " frames asking for an answer within a second (maxAnswerRate)");
            return;
        }
        if (type == FrameType.BIND || type == FrameType.BIND_OK || type == FrameType.BIND_REFUSED) {
            if (type == FrameType.BIND) {
                backlog.bindRead();
                connection.updateReading(backlog, shutdown.closing());
            }
            ctx.fireChannelRead(frame);
            return;
        }
        try {
            switch (type) {
                case DATA -> {
                    keepAlive.dataReceived();
                    frames.onData(frame);
                }
                case WINDOW_UPDATE -> frames.onWindowUpdate(frame);
                case FIN -> frames.onFin(frame);
                case RESET -> frames.onReset(frame);
                case OPEN -> streams.onOpen(frame);
                case OPEN_REFUSED -> frames.onOpenRefused(frame);
                case PING -> keepAlive.onPing(frame);
                case GO_AWAY -> shutdown.onGoAway(frame);
                default -> throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " frame after the handshake");
            }
        } finally {
            frame.release();
        }
    }

    /** PING without ACK and BIND: each makes this side write an answer (PROTOCOL.md, "Answers to a peer that does not read"). */
    private static boolean asksForAnswer(Frame frame) {
        return frame.type() == FrameType.BIND || frame.type() == FrameType.PING && !frame.hasFlag(Frame.FLAG_ACK);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        streams.readComplete();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            writer.scheduleFlush();
        }
        connection.updateReading(backlog, shutdown.closing());
        ctx.fireChannelWritabilityChanged();
    }

    /** Counts the answers later handlers write (BIND_OK, BIND_REFUSED) as this session's own control frames. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Frame frame && frame.type() != FrameType.DATA) {
            if ((frame.type() == FrameType.BIND_OK || frame.type() == FrameType.BIND_REFUSED) && backlog.bindAnswered()) {
                connection.updateReading(backlog, shutdown.closing());
            }
            ctx.write(frame, connection.whenWritten(promise, writer.countInBacklog(frame)));
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        String reason = shutdown.connectionClosed();
        keepAlive.stop();
        streams.closeAll(ErrorCode.CANCELLED, "session closed: " + reason);
        streams.sender().clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        shutdown.failed(cause);
    }
}
