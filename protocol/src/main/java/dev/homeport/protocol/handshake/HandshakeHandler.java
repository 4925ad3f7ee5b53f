package dev.homeport.protocol.handshake;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.message.GoAway;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * What both sides' handshakes share: the deadline, and failing with one GO_AWAY and a close.
 * Subclasses see each frame in {@link #onFrame}; the frame is released after it returns.
 */
abstract class HandshakeHandler extends ChannelInboundHandlerAdapter {
    /** A smaller window would force tiny DATA frames on this side; the same floor as our own setting. */
    static final int MIN_PEER_WINDOW = 1024;
    protected final ProtocolSettings settings;
    private ScheduledFuture<?> deadline;
    private boolean finished;

    HandshakeHandler(ProtocolSettings settings) {
        this.settings = settings;
    }

    /** Handles one frame; throws {@link ProtocolException} to fail the handshake. */
    protected abstract void onFrame(ChannelHandlerContext ctx, Frame frame);

    /** Called once the deadline is armed and the channel is active. */
    protected void onStart(ChannelHandlerContext ctx) {
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (deadline != null) {
            return;
        }
        long millis = settings.handshakeTimeout().toMillis();
        deadline = ctx.executor().schedule(() -> fail(ctx, ErrorCode.HANDSHAKE_TIMEOUT,
                "handshake not finished within " + millis + " ms"),
                HandshakeDeadline.remainingMillis(ctx.channel(), settings.handshakeTimeout()), TimeUnit.MILLISECONDS);
        onStart(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof Frame frame)) {
            ReferenceCountUtil.release(msg);
            fail(ctx, ErrorCode.PROTOCOL_ERROR, "unexpected message during handshake");
            return;
        }
        try {
            onFrame(ctx, frame);
        } catch (ProtocolException e) {
            fail(ctx, e.code(), e.getMessage());
        } finally {
            frame.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException pe) {
            fail(ctx, pe.code(), pe.getMessage());
        } else {
            fail(ctx, ErrorCode.INTERNAL_ERROR, "handshake failed: " + c);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!finished) {
            finished = true;
            cancelDeadline();
            ctx.fireUserEventTriggered(new HandshakeFailed(ErrorCode.CANCELLED,
                    "connection closed during the handshake", String.valueOf(ctx.channel().remoteAddress())));
        }
        ctx.fireChannelInactive();
    }

    /** Ends the handshake successfully: the event lets the next handler install the session. */
    protected void complete(ChannelHandlerContext ctx, HandshakeCompleted done) {
        finished = true;
        cancelDeadline();
        ctx.fireUserEventTriggered(done);
        ctx.pipeline().remove(this);
    }

    /** Sends GO_AWAY with the reason (the peer shows it to its user) and closes the connection. */
    protected void fail(ChannelHandlerContext ctx, ErrorCode code, String message) {
        if (finished) {
            return;
        }
        finished = true;
        cancelDeadline();
        ctx.fireUserEventTriggered(new HandshakeFailed(code, message, String.valueOf(ctx.channel().remoteAddress())));
        if (sendsGoAwayOnFailure() && ctx.channel().isActive()) {
            ctx.writeAndFlush(new GoAway(code, message).toFrame(ctx.alloc())).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    /** Ends the handshake quietly: the peer left on its own, so there is nothing to send or count. */
    protected void abandon(ChannelHandlerContext ctx, String message) {
        if (finished) {
            return;
        }
        finished = true;
        cancelDeadline();
        ctx.fireUserEventTriggered(new HandshakeFailed(ErrorCode.CANCELLED, message, String.valueOf(ctx.channel().remoteAddress())));
        ctx.close();
    }

    /** A side that failed because the peer said GO_AWAY does not answer with another. */
    protected boolean sendsGoAwayOnFailure() {
        return true;
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    static ProtocolException unexpected(String expected, Frame frame) {
        return new ProtocolException(ErrorCode.PROTOCOL_ERROR,
                "expected " + expected + " during the handshake, got " + frame.type());
    }

    static void checkPeerLimits(int initialWindow, int maxFramePayload, int maxStreams) {
        if (initialWindow < MIN_PEER_WINDOW) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "initial window must be " + MIN_PEER_WINDOW
                    + " to 2^31-1, got " + Integer.toUnsignedString(initialWindow));
        }
        if (maxFramePayload < ProtocolSettings.MIN_FRAME_PAYLOAD || maxFramePayload > ProtocolSettings.MAX_FRAME_PAYLOAD) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "max frame payload must be "
                    + ProtocolSettings.MIN_FRAME_PAYLOAD + " to " + ProtocolSettings.MAX_FRAME_PAYLOAD + ", got "
                    + Integer.toUnsignedString(maxFramePayload));
        }
        if (maxStreams <= 0) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR,
                    "max concurrent streams must be 1 to 2^31-1, got " + Integer.toUnsignedString(maxStreams));
        }
    }
}
