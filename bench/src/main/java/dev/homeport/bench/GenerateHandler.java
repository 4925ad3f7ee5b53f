package dev.homeport.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Mode 'G': sends the requested number of bytes as slices of one shared 64 KiB buffer, writing
 * only while the channel is writable, then closes.
 */
final class GenerateHandler extends ChannelInboundHandlerAdapter {

    private static final int CHUNK = 64 * 1024;
    private static final ByteBuf PATTERN = Unpooled.unreleasableBuffer(pattern());

    private long remaining;
    private boolean finished;
    private boolean pumping;

    GenerateHandler(long length) {
        this.remaining = length;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            pump(ctx);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        pump(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    // Writes and flushes fire writability events synchronously, which call back into pump();
    // the flag keeps that from interleaving with the loop, which re-checks writability itself.
    private void pump(ChannelHandlerContext ctx) {
        if (pumping || finished) {
            return;
        }
        pumping = true;
        try {
            while (true) {
                while (remaining > 0 && ctx.channel().isWritable()) {
                    int n = (int) Math.min(CHUNK, remaining);
                    remaining -= n;
                    ctx.write(PATTERN.slice(0, n), ctx.voidPromise());
                }
                if (remaining == 0) {
                    finished = true;
                    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                ctx.flush();
                if (!ctx.channel().isWritable()) {
                    return; // channelWritabilityChanged resumes
                }
            }
        } finally {
            pumping = false;
        }
    }

    private static ByteBuf pattern() {
        ByteBuf buf = Unpooled.directBuffer(CHUNK, CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            buf.writeByte(i * 31 + 7);
        }
        return buf;
    }
}
