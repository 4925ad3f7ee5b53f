package dev.homeport.protocol.message;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** The sender opens no new streams and asks the peer to open none; existing streams may finish. Layout: PROTOCOL.md, "GO_AWAY". */
public record GoAway(ErrorCode code, String message) implements ControlMessage {

    public GoAway {
        java.util.Objects.requireNonNull(code, "code");
        java.util.Objects.requireNonNull(message, "message");
        message = Wire.fit(message);
    }

    @Override
    public FrameType type() {
        return FrameType.GO_AWAY;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        return new Frame(type(), 0, streamId, payload(alloc));
    }

    /** This GO_AWAY with the DRAINED flag: the sender's last frame on the connection. */
    public Frame toDrainedFrame(ByteBufAllocator alloc) {
        return new Frame(type(), Frame.FLAG_DRAINED, 0, payload(alloc));
    }

    private ByteBuf payload(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(4 + Wire.stringBytes(message));
        out.writeInt(code.code());
        Wire.writeString(out, message);
        return out;
    }

    /** Reads the payload of a GO_AWAY frame; bytes after the known fields are ignored (PROTOCOL.md, "Extensibility"). */
    public static GoAway decode(ByteBuf in) {
        Wire.need(in, 4, "GO_AWAY", "code");
        ErrorCode code = ErrorCode.of(in.readInt());
        String message = Wire.readString(in, "GO_AWAY", "message");
        return new GoAway(code, message);
    }
}
