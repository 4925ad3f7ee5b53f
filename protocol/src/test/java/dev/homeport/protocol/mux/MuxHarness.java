package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.message.Frames;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.message.Open;
import dev.homeport.protocol.message.OpenRefused;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A {@link MuxSession} on an EmbeddedChannel with frozen time, talking frames (no codec) with the
 * test, which plays the peer. What the session sends is copied into {@link Sent} records and
 * released at once, so a test only releases what it builds itself. The session grant every session
 * sends first is checked and kept apart in {@link #sessionGrant}, so {@link #sent} starts after it.
 */
final class MuxHarness {
    static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    /** Keep-alive far in the future, so that only the PING at start appears (and is filtered out by {@link #sent}). */
    static final ProtocolSettings QUIET = ProtocolSettings.defaults().withKeepAlive(Duration.ofHours(1), Duration.ofHours(2));
    /** The session grant a peer with the default {@code sessionWindow} sends right after the handshake. */
    static final int DEFAULT_PEER_GRANT =
            (int) (ProtocolSettings.defaults().sessionWindow() - ProtocolSettings.INITIAL_SESSION_WINDOW);

    final EmbeddedChannel channel;
    final MuxSession session;
    final FlushGate gate = new FlushGate();
    /** Messages and user events the session passed on to the next handler. */
    final List<Object> passedOn = new ArrayList<>();
    final List<MuxStream> accepted = new ArrayList<>();
    final List<Open> opens = new ArrayList<>();
    /** The WINDOW_UPDATE on stream 0 the session sent at start, or null if its sessionWindow is the initial 1 MiB. */
    final Sent sessionGrant;

    MuxHarness(MuxSession.Role role, ProtocolSettings local, HandshakeCompleted peer) {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        StreamAcceptor acceptor = role == MuxSession.Role.CLIENT ? (stream, open) -> {
            accepted.add(stream);
            opens.add(open);
        } : null;
        session = new MuxSession(role, local, peer, acceptor);
        channel.pipeline().addLast(gate, session, new Recorder());
        channel.runPendingTasks();
        sessionGrant = takeSessionGrant(local);
    }

    /** Removes the start-of-session grant from the outbound queue, after checking it is the first frame sent. */
    private Sent takeSessionGrant(ProtocolSettings local) {
        long expected = local.sessionWindow() - ProtocolSettings.INITIAL_SESSION_WINDOW;
        Frame first = (Frame) channel.outboundMessages().peek();
        boolean isGrant = first != null && first.type() == FrameType.WINDOW_UPDATE && first.streamId() == 0;
        if (expected == 0) {
            if (isGrant) {
                throw new AssertionError("session grant sent although sessionWindow is the initial window");
            }
            return null;
        }
        if (!isGrant) {
            throw new AssertionError("the first frame sent must be the session grant, got " + first);
        }
        Sent grant = copy((Frame) channel.readOutbound());
        if (grant.increment() != expected) {
            throw new AssertionError("session grant of " + grant.increment() + " bytes, expected " + expected);
        }
        return grant;
    }

    static MuxHarness relay(ProtocolSettings local, HandshakeCompleted peer) {
        return new MuxHarness(MuxSession.Role.RELAY, local, peer);
    }

    static MuxHarness client(ProtocolSettings local, HandshakeCompleted peer) {
        return new MuxHarness(MuxSession.Role.CLIENT, local, peer);
    }

    /** What the handshake would have reported about the peer. */
    static HandshakeCompleted peer(int initialWindow, int maxFramePayload, int maxConcurrentStreams, long rttNanos) {
        return new HandshakeCompleted(1, "test-session", "alice", "test-agent", initialWindow, maxFramePayload,
                maxConcurrentStreams, rttNanos);
    }

    static HandshakeCompleted peer(int initialWindow, int maxFramePayload) {
        return peer(initialWindow, maxFramePayload, Integer.MAX_VALUE, 0);
    }

    // ---- driving the session ----

    /** Hands frames to the session as the decoder would, in one read. */
    void receive(Frame... frames) {
        if (!channel.isOpen()) {
            for (Frame f : frames) {
                f.release();
            }
            throw new AssertionError("session channel already closed");
        }
        channel.writeInbound((Object[]) frames);
        channel.runPendingTasks();
    }

    RecordingHandler openStream(int tunnelId) {
        RecordingHandler handler = new RecordingHandler();
        handler.stream = session.newStream();
        handler.stream.open(tunnelId, "198.51.100.7:40000", handler);
        channel.runPendingTasks();
        return handler;
    }

    /** As the client: accepts the peer's OPEN of {@code id} and attaches a handler. */
    RecordingHandler acceptStream(int id) {
        receive(open(id, 1));
        MuxStream stream = accepted.get(accepted.size() - 1);
        RecordingHandler handler = new RecordingHandler();
        handler.stream = stream;
        stream.attach(handler);
        channel.runPendingTasks();
        return handler;
    }

    /** Lets time pass in steps of at most 100 ms, so that timers fire near their due time, as on a real loop. */
    void advance(Duration d) {
        long step = Duration.ofMillis(100).toNanos();
        for (long left = d.toNanos(); left > 0; left -= step) {
            channel.advanceTimeBy(Math.min(step, left), TimeUnit.NANOSECONDS);
            channel.runScheduledPendingTasks();
            channel.runPendingTasks();
        }
    }

    /** Everything sent since the last call, except keep-alive PINGs. */
    List<Sent> sent() {
        return sentAll().stream().filter(s -> s.type() != FrameType.PING).toList();
    }

    List<Sent> sentAll() {
        channel.runPendingTasks();
        List<Sent> out = new ArrayList<>();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            out.add(copy((Frame) o));
        }
        return out;
    }

    /** Copies a frame the session sent into a {@link Sent} record, and releases it. */
    private static Sent copy(Frame f) {
        byte[] payload = new byte[f.payload().readableBytes()];
        f.payload().getBytes(f.payload().readerIndex(), payload);
        Sent sent = new Sent(f.type(), f.streamId(), f.flags(), payload);
        f.release();
        return sent;
    }

    List<Sent> sentData() {
        return sent().stream().filter(s -> s.type() == FrameType.DATA).toList();
    }

    <T> List<T> passedOn(Class<T> type) {
        return passedOn.stream().filter(type::isInstance).map(type::cast).toList();
    }

    void close() {
        channel.finishAndReleaseAll();
        passedOn.forEach(ReferenceCountUtil::release);
    }

    // ---- frames the peer sends ----

    static Frame open(int id, int tunnelId) {
        return new Open(tunnelId, "203.0.113.9:51234").toFrame(ALLOC, id);
    }

    static Frame data(int id, int bytes) {
        return Frame.data(id, ALLOC.buffer(bytes).writeBytes(pattern(bytes)));
    }

    static Frame data(int id, String text) {
        return Frame.data(id, ALLOC.buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8)));
    }

    static Frame windowUpdate(int id, int increment) {
        return new Frame(FrameType.WINDOW_UPDATE, 0, id, ALLOC.buffer(4).writeInt(increment));
    }

    static Frame ping(long opaque) {
        return Frames.ping(ALLOC, opaque, false);
    }

    static Frame fin(int id) {
        return Frame.empty(FrameType.FIN, id);
    }

    static Frame reset(int id, ErrorCode code) {
        return Frames.reset(ALLOC, id, code);
    }

    static Frame openRefused(int id, ErrorCode code, String message) {
        return new OpenRefused(code, message).toFrame(ALLOC, id);
    }

    static Frame goAway(ErrorCode code, String message) {
        return new GoAway(code, message).toFrame(ALLOC);
    }

    static ByteBuf bytes(int n) {
        return ALLOC.buffer(n).writeBytes(pattern(n));
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    /** A frame the session sent, copied. */
    record Sent(FrameType type, int streamId, int flags, byte[] payload) {
        int length() {
            return payload.length;
        }

        int increment() {
            return frame(Frames::windowIncrement);
        }

        ErrorCode resetCode() {
            return frame(Frames::resetCode);
        }

        long opaque() {
            return frame(Frames::pingOpaque);
        }

        GoAway goAway() {
            return frame(f -> GoAway.decode(f.payload()));
        }

        OpenRefused openRefused() {
            return frame(f -> OpenRefused.decode(f.payload()));
        }

        Open open() {
            return frame(f -> Open.decode(f.payload()));
        }

        private <T> T frame(Function<Frame, T> read) {
            return read.apply(new Frame(type, flags, streamId, Unpooled.wrappedBuffer(payload)));
        }

        @Override
        public String toString() {
            return type + " " + streamId + (type == FrameType.DATA ? " len=" + payload.length : "");
        }
    }

    /** Stands in for the socket at the far end of a stream: records every call. */
    static final class RecordingHandler implements StreamHandler {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        MuxStream stream;
        int writable;
        /** Return credit as soon as data arrives, as a socket that writes at once would. */
        boolean consumeAtOnce;
        /** Runs on every {@link #onWritable}, as a source that reads when asked would. */
        Runnable whenWritable = () -> { };

        @Override
        public void onData(ByteBuf data) {
            int n = data.readableBytes();
            events.add("data " + n);
            byte[] bytes = new byte[n];
            data.readBytes(bytes);
            received.writeBytes(bytes);
            data.release();
            if (consumeAtOnce) {
                stream.consumed(n);
            }
        }

        @Override
        public void onFlush() {
            events.add("flush");
        }

        @Override
        public void onRemoteFin() {
            events.add("fin");
        }

        @Override
        public void onClosed(ErrorCode code, String reason) {
            events.add("closed " + code + ": " + reason);
        }

        @Override
        public void onWritable() {
            writable++;
            whenWritable.run();
        }

        String text() {
            return received.toString(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return events.toString();
        }
    }

    /** Holds flushes back while closed, so written frames pile up in the channel's outbound buffer. */
    static final class FlushGate extends ChannelOutboundHandlerAdapter {
        private boolean closed;
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (!closed) {
                ctx.flush();
            }
        }

        void close() {
            closed = true;
        }

        void open() {
            closed = false;
            ctx.flush();
        }
    }

    private final class Recorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            passedOn.add(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            passedOn.add(evt);
        }
    }
}
