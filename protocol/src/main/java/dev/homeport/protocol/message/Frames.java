package dev.homeport.protocol.message;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** The fixed-size frames: WINDOW_UPDATE (u32), RESET (u32 code) and PING (u64 opaque). */
public final class Frames {
    private Frames() {
    }

    public static Frame windowUpdate(ByteBufAllocator alloc, int streamId, int increment) {
        if (increment <= 0) {
            throw new IllegalArgumentException("window increment must be positive, got " + increment);
        }
        return new Frame(FrameType.WINDOW_UPDATE, 0, streamId, alloc.buffer(4).writeInt(increment));
    }

    /** @return the increment, 1 to 2^31-1; zero or a value with the top bit set is a protocol error */
    public static int windowIncrement(Frame frame) {
        ByteBuf in = frame.payload();
        Wire.need(in, 4, "WINDOW_UPDATE", "increment");
        int increment = in.getInt(in.readerIndex());
        if (increment <= 0) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR,
                    "WINDOW_UPDATE increment must be 1 to 2^31-1, got " + Integer.toUnsignedString(increment));
        }
        return increment;
    }

    public static Frame reset(ByteBufAllocator alloc, int streamId, ErrorCode code) {
        return new Frame(FrameType.RESET, 0, streamId, alloc.buffer(4).writeInt(code.code()));
    }

    public static ErrorCode resetCode(Frame frame) {
        ByteBuf in = frame.payload();
        Wire.need(in, 4, "RESET", "code");
        return ErrorCode.of(in.getInt(in.readerIndex()));
    }

    public static Frame ping(ByteBufAllocator alloc, long opaque, boolean ack) {
        return new Frame(FrameType.PING, ack ? Frame.FLAG_ACK : 0, 0, alloc.buffer(8).writeLong(opaque));
    }

    public static long pingOpaque(Frame frame) {
        ByteBuf in = frame.payload();
        Wire.need(in, 8, "PING", "opaque");
        return in.getLong(in.readerIndex());
    }
}
