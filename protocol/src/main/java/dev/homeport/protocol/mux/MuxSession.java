package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.message.Frames;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The stream multiplexer of one established session (PROTOCOL.md, "Streams" and "Flow control").
 * Installed after the handshake, it owns every stream on the connection: it routes stream frames,
 * enforces both directions' windows, writes streams' data in bounded chunks round robin, and keeps
 * the session alive. Session frames it does not own (BIND and its replies) pass to the next handler.
 */
public final class MuxSession extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(MuxSession.class);
    /**
     * Outbound bytes Netty may hold before the session stops framing more stream data. Smaller marks
     * cost throughput and barely shorten the wait of a small message behind a bulk one, which sits in
     * the kernel's buffers (docs/benchmarks.md, "Tuning knobs tried").
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(128 * 1024, 512 * 1024);

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

    private final ProtocolSettings local;
    private final HandshakeCompleted peer;
    private final SessionStreams streams;
    private final SessionShutdown shutdown;

    private ChannelHandlerContext ctx;
    private EventLoop loop;
    private ScheduledFuture<?> keepAlive;
    private boolean flushScheduled;
    private boolean controlWritten;
    private long lastReadNanos;
    private final RoundTripTimes rtt;
    private final AnswerBacklog backlog;

    /** @param acceptor policy for streams the peer opens, or {@code null} if the peer may open none */
    public MuxSession(Role role, ProtocolSettings local, HandshakeCompleted peer, StreamAcceptor acceptor) {
        this.local = local;
        this.peer = peer;
        this.rtt = new RoundTripTimes(peer.handshakeRttNanos());
        this.streams = new SessionStreams(new StreamsSession(), role.firstStreamId, local, peer, acceptor,
                new RoundRobinScheduler(peer.peerMaxFramePayload()));
        this.backlog = new AnswerBacklog(local.maxControlBacklog(), local.maxUnansweredBinds(), role == Role.RELAY);
        this.shutdown = new SessionShutdown(peer.sessionId(), local.keepAliveTimeout(), streams, this::writeControl);
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
        run(() -> streams.whenIdle(p));
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
        return streams.bytesReceived();
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

    /** The loop's clock, which is the system clock in production and a controllable one under test. */
    private long nanoTime() {
        return loop.ticker().nanoTime();
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
        ctx.channel().config().setWriteBufferWaterMark(WATER_MARK);
        lastReadNanos = nanoTime();
        long interval = local.pingInterval().toNanos();
        keepAlive = loop.scheduleAtFixedRate(this::keepAliveTick, 0, interval, TimeUnit.NANOSECONDS);
        shutdown.bind(ctx);
        streams.bind(ctx);
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
        lastReadNanos = nanoTime();
        FrameType type = frame.type();
        if (type == FrameType.BIND || type == FrameType.BIND_OK || type == FrameType.BIND_REFUSED) {
            if (type == FrameType.BIND) {
                backlog.bindRead();
                updateReading();
            }
            ctx.fireChannelRead(frame);
            return;
        }
        try {
            switch (type) {
                case DATA -> streams.onData(frame);
                case WINDOW_UPDATE -> streams.onWindowUpdate(frame);
                case FIN -> streams.onFin(frame);
                case RESET -> streams.onReset(frame);
                case OPEN -> streams.onOpen(frame);
                case OPEN_REFUSED -> streams.onOpenRefused(frame);
                case PING -> onPing(frame);
                case GO_AWAY -> shutdown.onGoAway(frame);
                default -> throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " frame after the handshake");
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        streams.readComplete();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            scheduleFlush();
        }
        updateReading();
        ctx.fireChannelWritabilityChanged();
    }

    /** Counts the answers later handlers write (BIND_OK, BIND_REFUSED) as this session's own control frames. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Frame frame && frame.type() != FrameType.DATA) {
            if ((frame.type() == FrameType.BIND_OK || frame.type() == FrameType.BIND_REFUSED) && backlog.bindAnswered()) {
                updateReading();
            }
            ctx.write(frame, countedInBacklog(frame, promise));
        } else {
            ctx.write(msg, promise);
        }
    }

    /** Pauses reading from the peer while answers cannot go out, as {@link AnswerBacklog} decides. */
    private void updateReading() {
        if (backlog.updatePause(ctx.channel().isWritable(), shutdown.closing())) {
            ctx.channel().config().setAutoRead(!backlog.readsPaused()); // turning it back on asks for a read at once
        }
    }

    /**
     * Adds {@code frame} to the control backlog until it is on the wire; a backlog past
     * {@code maxControlBacklog} means the peer asks for answers it does not read, and ends the session.
     */
    private ChannelPromise countedInBacklog(Frame frame, ChannelPromise promise) {
        int bytes = Frame.HEADER_LENGTH + frame.payload().readableBytes();
        if (backlog.written(bytes, shutdown.closing())) {
            log.warn("event=session_flooding session={} control_backlog_bytes={} max_control_backlog={}", id(),
                    backlog.bytes(), local.maxControlBacklog());
            loop.execute(() -> shutdown.close(ErrorCode.FLOODING, "more than " + local.maxControlBacklog()
                    + " bytes of answers queued that the peer does not read (maxControlBacklog)"));
        }
        ChannelPromise counted = promise.isVoid() ? ctx.newPromise() : promise;
        counted.addListener(f -> backlog.onWire(bytes));
        return counted;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        String reason = shutdown.connectionClosed();
        keepAlive.cancel(false);
        streams.closeAll(ErrorCode.CANCELLED, "session closed: " + reason);
        streams.sender().clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException pe) {
            log.warn("event=protocol_error session={} code={} reason=\"{}\"", id(), pe.code(), pe.getMessage());
            shutdown.close(pe.code(), pe.getMessage());
        } else if (c instanceof IOException) {
            log.debug("event=io_error session={} reason=\"{}\"", id(), c.toString());
            shutdown.failed(c.getMessage());
        } else {
            log.warn("event=internal_error session={}", id(), c);
            shutdown.close(ErrorCode.INTERNAL_ERROR, "internal error");
            if (c instanceof OutOfMemoryError && Thread.getDefaultUncaughtExceptionHandler() != null) {
                // Not this session's problem alone: the process decides (the relay exits to be restarted).
                Thread.getDefaultUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), c);
            }
        }
    }

    // ---- inbound frames ----

    private void onPing(Frame frame) {
        long opaque = Frames.pingOpaque(frame);
        if (frame.hasFlag(Frame.FLAG_ACK)) {
            rtt.ackReceived(opaque, nanoTime());
        } else {
            writeControl(Frames.ping(ctx.alloc(), opaque, true));
        }
    }

    // ---- what the streams need of the session ----

    private final class StreamsSession implements SessionStreams.Session {
        @Override
        public void run(Runnable task) {
            MuxSession.this.run(task);
        }

        @Override
        public boolean inEventLoop() {
            return loop.inEventLoop();
        }

        @Override
        public long nanoTime() {
            return MuxSession.this.nanoTime();
        }

        @Override
        public long minRttNanos() {
            return rtt.minNanos();
        }

        @Override
        public void writeControl(Frame frame) {
            MuxSession.this.writeControl(frame);
        }

        @Override
        public void scheduleFlush() {
            MuxSession.this.scheduleFlush();
        }

        @Override
        public boolean refusesOpens() {
            return shutdown.refusesOpens();
        }

        @Override
        public boolean goAwaySent() {
            return shutdown.goAwaySent();
        }

        @Override
        public boolean closing() {
            return shutdown.closing();
        }

        @Override
        public void close(ErrorCode code, String message) {
            shutdown.close(code, message);
        }

        @Override
        public void lastStreamClosed() {
            shutdown.lastStreamClosed();
        }
    }

    // ---- writing: control frames at once, the streams' frames as the scheduler picks ----

    private void writeControl(Frame frame) {
        if (shutdown.drainedSent()) {
            frame.release(); // DRAINED was this side's last word (PROTOCOL.md, "GO_AWAY")
            return;
        }
        ctx.write(frame, countedInBacklog(frame, ctx.voidPromise()));
        controlWritten = true;
        scheduleFlush();
    }

    /** One flush per loop iteration, after every read and write that iteration produced. */
    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(this::writeReady);
        }
    }

    private void writeReady() {
        flushScheduled = false;
        boolean wrote = controlWritten;
        controlWritten = false;
        if (streams.sender().writeReady()) {
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
    }

    // ---- keep-alive ----

    private void keepAliveTick() {
        if (shutdown.drainedSent() || shutdown.closing()) {
            return; // nothing more is sent; the drain and the close have their own deadlines
        }
        long silentNanos = nanoTime() - lastReadNanos;
        if (silentNanos > local.keepAliveTimeout().toNanos()) {
            log.info("event=keepalive_timeout session={} silent_ms={}", id(), TimeUnit.NANOSECONDS.toMillis(silentNanos));
            shutdown.close(ErrorCode.KEEPALIVE_TIMEOUT,
                    "nothing received for " + TimeUnit.NANOSECONDS.toMillis(silentNanos) + " ms (keepAliveTimeout)");
            return;
        }
        writeControl(Frames.ping(ctx.alloc(), rtt.pingSent(nanoTime()), false));
    }
}
