package dev.homeport.protocol.message;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Server opens a stream for one public connection on a tunnel; the peer address is for logs only. Layout: PROTOCOL.md, "OPEN". */
public record Open(int tunnelId, String peerAddress) implements ControlMessage {

    public Open {
        java.util.Objects.requireNonNull(peerAddress, "peerAddress");
    }

    @Override
    public FrameType type() {
        return FrameType.OPEN;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = alloc.buffer(4 + Wire.stringBytes(peerAddress));
        out.writeInt(tunnelId);
        Wire.writeString(out, peerAddress);
        return new Frame(type(), 0, streamId, out);
    }

    /** Reads the payload of an OPEN frame; bytes after the known fields are ignored (PROTOCOL.md, "Extensibility"). */
    public static Open decode(ByteBuf in) {
        Wire.need(in, 4, "OPEN", "tunnelId");
        int tunnelId = in.readInt();
        String peerAddress = Wire.readString(in, "OPEN", "peerAddress");
        return new Open(tunnelId, peerAddress);
    }
}
