package dev.homeport.client.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Copies the first few bytes the far end sends into the connection's {@link FarEndAnswer}, then leaves the pipeline. */
final class FirstBytesRecorder extends ChannelInboundHandlerAdapter {
    private final FarEndAnswer answer;
    private final boolean insideTls;

    FirstBytesRecorder(FarEndAnswer answer, boolean insideTls) {
        this.answer = answer;
        this.insideTls = insideTls;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            answer.record(insideTls, buf);
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }
}
