package dev.homeport.protocol.message;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Server accepted the client: its receive limits and the session id used in logs. Layout: PROTOCOL.md, "WELCOME". */
public record Welcome(int initialWindow, int maxFramePayload, int maxConcurrentStreams, String sessionId) implements ControlMessage {

    public Welcome {
        java.util.Objects.requireNonNull(sessionId, "sessionId");
    }

    @Override
    public FrameType type() {
        return FrameType.WELCOME;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = alloc.buffer(4 + 4 + 4 + Wire.stringBytes(sessionId));
        out.writeInt(initialWindow);
        out.writeInt(maxFramePayload);
        out.writeInt(maxConcurrentStreams);
        Wire.writeString(out, sessionId);
        return new Frame(type(), 0, streamId, out);
    }

    /** Reads the payload of a WELCOME frame; bytes after the known fields are ignored (PROTOCOL.md, "Extensibility"). */
    public static Welcome decode(ByteBuf in) {
        Wire.need(in, 4, "WELCOME", "initialWindow");
        int initialWindow = in.readInt();
        Wire.need(in, 4, "WELCOME", "maxFramePayload");
        int maxFramePayload = in.readInt();
        Wire.need(in, 4, "WELCOME", "maxConcurrentStreams");
        int maxConcurrentStreams = in.readInt();
        String sessionId = Wire.readString(in, "WELCOME", "sessionId");
        return new Welcome(initialWindow, maxFramePayload, maxConcurrentStreams, sessionId);
    }
}
