package dev.homeport.server.session;

import dev.homeport.protocol.handshake.HandshakeDeadline;
import dev.homeport.server.RelayServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One control port, two ways in: an HTTP request starts with a letter (its method), anything else is
 * frames (a frame starts with the protocol version byte). The first byte decides; the WebSocket
 * handlers are added only for HTTP.
 */
final class TransportSniffer extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(TransportSniffer.class);
    private final ControlContext context;
    private final RelayServerConfig config;

    TransportSniffer(ControlContext context) {
        this.context = context;
        this.config = context.config();
    }

    private ScheduledFuture<?> deadline;

    /** The handshake deadline starts here, at the connection, not when the first byte arrives. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long millis = HandshakeDeadline.remainingMillis(ctx.channel(), config.protocol().handshakeTimeout());
        deadline = ctx.executor().schedule(() -> {
            log.debug("event=handshake_timeout remote={} stage=first_byte", ctx.channel().remoteAddress());
            if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
                context.limiter().failed(remote.getAddress());
            }
            context.metrics().handshakeFailed(dev.homeport.protocol.ErrorCode.HANDSHAKE_TIMEOUT, ctx.channel().remoteAddress());
            ctx.close();
        }, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        deadline.cancel(false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        int first = in.getUnsignedByte(in.readerIndex());
        if (first >= 'A' && first <= 'Z') {
            WebSocketSession.addLast(p, context); // an HTTP method
        } else {
            // A frame, or what the frame decoder rejects: a version other than 1 gets GO_AWAY UNSUPPORTED_VERSION.
            SessionPipeline.addLast(p, context);
        }
        p.remove(this);
    }
}
