package dev.homeport.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Reads the mode header and replaces itself with the handler for that mode; bytes that arrived
 * after the header are handed on to it when this decoder leaves the pipeline.
 */
final class ModeSelector extends ByteToMessageDecoder {

    static final String NAME = "mode";

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        FarEndMode mode = FarEndMode.of(in.getByte(in.readerIndex()));
        if (mode == null) {
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        ChannelHandler next;
        switch (mode) {
            case ECHO -> {
                in.skipBytes(1);
                next = new EchoHandler();
            }
            case SINK -> {
                in.skipBytes(1);
                next = new SinkHandler();
            }
            case GENERATE -> {
                if (in.readableBytes() < 1 + FarEndMode.GENERATE_LENGTH_BYTES) {
                    return;
                }
                in.skipBytes(1);
                long length = in.readLong();
                if (length < 0) {
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    return;
                }
                next = new GenerateHandler(length);
            }
            default -> throw new IllegalStateException("unhandled mode " + mode);
        }
        ctx.pipeline().replace(this, mode.name().toLowerCase(java.util.Locale.ROOT), next);
    }
}
