package dev.homeport.protocol.message;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Client could not connect the stream to its local service. Layout: PROTOCOL.md, "OPEN_REFUSED". */
public record OpenRefused(ErrorCode code, String message) implements ControlMessage {

    public OpenRefused {
        java.util.Objects.requireNonNull(code, "code");
        java.util.Objects.requireNonNull(message, "message");
        message = Wire.fit(message);
    }

    @Override
    public FrameType type() {
        return FrameType.OPEN_REFUSED;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = alloc.buffer(4 + Wire.stringBytes(message));
        out.writeInt(code.code());
        Wire.writeString(out, message);
        return new Frame(type(), 0, streamId, out);
    }

    /** Reads the payload of an OPEN_REFUSED frame; bytes after the known fields are ignored (PROTOCOL.md, "Extensibility"). */
    public static OpenRefused decode(ByteBuf in) {
        Wire.need(in, 4, "OPEN_REFUSED", "code");
        ErrorCode code = ErrorCode.of(in.readInt());
        String message = Wire.readString(in, "OPEN_REFUSED", "message");
        return new OpenRefused(code, message);
    }
}
