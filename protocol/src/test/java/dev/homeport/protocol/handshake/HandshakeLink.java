package dev.homeport.protocol.handshake;

import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameCodec;
import dev.homeport.protocol.frame.FrameDecoder;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.GoAway;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * One end of a handshake on an EmbeddedChannel with the real codec: frame decoder, a tap that
 * notes every frame received, the handshake handler, and a recorder of what comes out after it.
 * {@link #shuttle} carries the bytes between two ends, as a socket would.
 */
final class HandshakeLink {
    final EmbeddedChannel channel;
    /** Type of every frame this end received, with GO_AWAYs decoded. */
    final List<Object> received = new ArrayList<>();
    /** User events (HandshakeCompleted, HandshakeFailed) and frames that passed the handshake handler. */
    final List<Object> events = new ArrayList<>();
    /** Every byte this end sent, in order. */
    final ByteBuf sent = ByteBufAllocator.DEFAULT.buffer();

    private HandshakeLink(ChannelHandler handshake, ProtocolSettings settings) {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new FrameDecoder(settings.maxFramePayload()), FrameEncoder.INSTANCE, new Tap(),
                handshake, new Recorder());
        channel.runPendingTasks();
    }

    static HandshakeLink client(ProtocolSettings settings, TokenKey token) {
        return new HandshakeLink(new ClientHandshakeHandler(settings, token, "homeport-test/1"), settings);
    }

    static HandshakeLink server(ProtocolSettings settings, TokenKeyLookup tokens) {
        return new HandshakeLink(new ServerHandshakeHandler(settings, tokens), settings);
    }

    /** Carries bytes both ways until neither end has anything more to send. */
    static void shuttle(HandshakeLink a, HandshakeLink b) {
        while (a.transferTo(b) | b.transferTo(a)) {
            // keep going
        }
    }

    /** Delivers everything this end wrote to the other end; false if there was nothing. */
    boolean transferTo(HandshakeLink other) {
        boolean moved = false;
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            moved = true;
            sent.writeBytes(b, b.readerIndex(), b.readableBytes());
            other.receive(b);
        }
        return moved;
    }

    /** Feeds raw bytes in, as if read from the socket; dropped if this end already closed. */
    void receive(ByteBuf bytes) {
        if (channel.isOpen()) {
            channel.writeInbound(bytes);
        } else {
            bytes.release();
        }
    }

    void receive(Frame... frames) {
        receive(FrameCodec.encode(frames));
    }

    /** The frames this end wrote so far, decoded; GO_AWAYs as {@link GoAway}, others as their type. */
    List<Object> sentFrames() {
        ByteBuf pending = ByteBufAllocator.DEFAULT.buffer();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            sent.writeBytes(b, b.readerIndex(), b.readableBytes());
            b.release();
        }
        pending.writeBytes(sent, sent.readerIndex(), sent.readableBytes());
        List<Object> out = new ArrayList<>();
        for (Frame f : FrameCodec.decode(ProtocolSettings.MAX_FRAME_PAYLOAD, pending)) {
            out.add(describe(f));
            f.release();
        }
        return out;
    }

    <T> T event(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " among " + events));
    }

    void close() {
        channel.finishAndReleaseAll();
        sent.release();
        events.forEach(ReferenceCountUtil::release);
    }

    private static Object describe(Frame f) {
        return f.type() == FrameType.GO_AWAY ? GoAway.decode(f.payload().duplicate()) : f.type();
    }

    private final class Tap extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Frame f) {
                received.add(describe(f));
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class Recorder extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            events.add(msg);
        }
    }
}
