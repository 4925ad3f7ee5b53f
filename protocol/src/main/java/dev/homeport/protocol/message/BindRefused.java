package dev.homeport.protocol.message;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Server refused a BIND, with the reason. Layout: PROTOCOL.md, "BIND_REFUSED". */
public record BindRefused(int requestId, ErrorCode code, String message) implements ControlMessage {

    public BindRefused {
        java.util.Objects.requireNonNull(code, "code");
        java.util.Objects.requireNonNull(message, "message");
        message = Wire.fit(message);
    }

    @Override
    public FrameType type() {
        return FrameType.BIND_REFUSED;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = alloc.buffer(4 + 4 + Wire.stringBytes(message));
        out.writeInt(requestId);
        out.writeInt(code.code());
        Wire.writeString(out, message);
        return new Frame(type(), 0, streamId, out);
    }

    /** Reads the payload of a BIND_REFUSED frame; bytes after the known fields are ignored (PROTOCOL.md, "Extensibility"). */
    public static BindRefused decode(ByteBuf in) {
        Wire.need(in, 4, "BIND_REFUSED", "requestId");
        int requestId = in.readInt();
        Wire.need(in, 4, "BIND_REFUSED", "code");
        ErrorCode code = ErrorCode.of(in.readInt());
        String message = Wire.readString(in, "BIND_REFUSED", "message");
        return new BindRefused(requestId, code, message);
    }
}
