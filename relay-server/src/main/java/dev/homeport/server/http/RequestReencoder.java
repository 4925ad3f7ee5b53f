package dev.homeport.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the checked, rewritten request back into bytes for the stream, on the inbound side: Netty's
 * {@link HttpRequestEncoder} writes the head and re-chunks a chunked body; each message leaves as one
 * buffer (a composite of the encoder's pieces, body bytes not copied). Raw bytes (after an upgrade)
 * pass through untouched.
 */
final class RequestReencoder extends ChannelInboundHandlerAdapter {
    private final Encoder encoder = new Encoder();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof HttpObject)) {
            ctx.fireChannelRead(msg);
            return;
        }
        List<Object> pieces = new ArrayList<>(4);
        try {
            encoder.encodeInto(ctx, msg, pieces); // takes ownership of msg
        } catch (Exception e) {
            pieces.forEach(ReferenceCountUtil::release);
            throw e;
        }
        if (pieces.size() == 1) {
            ctx.fireChannelRead(pieces.get(0));
            return;
        }
        CompositeByteBuf bytes = ctx.alloc().compositeBuffer(Math.max(2, pieces.size()));
        for (Object piece : pieces) {
            bytes.addComponent(true, (ByteBuf) piece);
        }
        ctx.fireChannelRead(bytes);
    }

    /** Opens the encoder's encode step, which in Netty 4.2 releases the message it was given. */
    private static final class Encoder extends HttpRequestEncoder {
        void encodeInto(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            encode(ctx, msg, out);
        }
    }
}
