package dev.homeport.server.process;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First in every connection's pipeline: an allocation that fails in Netty's read loop (direct
 * memory exhausted) is fired here before any other handler sees it, and handed to
 * {@link OutOfMemoryExit}; everything else, and the error itself, goes on down the pipeline.
 */
@ChannelHandler.Sharable
public final class OutOfMemoryGuard extends ChannelInboundHandlerAdapter {
    public static final OutOfMemoryGuard INSTANCE = new OutOfMemoryGuard();

    private OutOfMemoryGuard() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        OutOfMemoryExit.ifOutOfMemory(cause);
        ctx.fireExceptionCaught(cause);
    }
}
