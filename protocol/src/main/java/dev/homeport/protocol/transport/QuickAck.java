package dev.homeport.protocol.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * Acknowledges received segments at once instead of after Linux's delayed-ACK timer (40 ms), on a
 * session that may cross an HTTP proxy. Proxies such as tinyproxy leave Nagle's algorithm on: of two
 * small writes in a row they hold the second until the first is acknowledged, and a receiver that
 * delays its ACK turns a burst of small messages (Jupyter's replies to one execute) into a 40 ms stall.
 * TCP_QUICKACK is not sticky in Linux, so it is set again after each batch of reads; a no-op off epoll.
 */
@ChannelHandler.Sharable
public final class QuickAck extends ChannelInboundHandlerAdapter {
    public static final QuickAck INSTANCE = new QuickAck();

    private QuickAck() {
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        rearm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        rearm(ctx);
        ctx.fireChannelReadComplete();
    }

    private static void rearm(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof EpollSocketChannel ch && ch.isOpen()) {
            ch.config().setTcpQuickAck(true);
        }
    }
}
