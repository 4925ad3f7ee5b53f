package dev.homeport.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Writes a frame as two buffers, a 12-byte header and the payload itself, so that payload bytes
 * are never copied on their way to the socket.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        ByteBuf payload = frame.payload();
        ByteBuf header = ctx.alloc().ioBuffer(Frame.HEADER_LENGTH);
        writeHeader(header, frame.type(), frame.flags(), frame.streamId(), payload.readableBytes());
        out.add(header);
        if (payload.isReadable()) {
            out.add(payload.retain());
        }
    }

    public static void writeHeader(ByteBuf out, FrameType type, int flags, int streamId, int length) {
        out.writeByte(Frame.VERSION);
        out.writeByte(type.code());
        out.writeShort(flags);
        out.writeInt(streamId);
        out.writeInt(length);
    }
}
