package dev.homeport.protocol.message;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Server granted a tunnel: its id, used by OPEN, and the public address it listens on. Layout: PROTOCOL.md, "BIND_OK". */
public record BindOk(int requestId, int tunnelId, int port, String publicAddress) implements ControlMessage {

    public BindOk {
        java.util.Objects.requireNonNull(publicAddress, "publicAddress");
    }

    @Override
    public FrameType type() {
        return FrameType.BIND_OK;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = alloc.buffer(4 + 4 + 2 + Wire.stringBytes(publicAddress));
        out.writeInt(requestId);
        out.writeInt(tunnelId);
        out.writeShort(port);
        Wire.writeString(out, publicAddress);
        return new Frame(type(), 0, streamId, out);
    }

    /** Reads the payload of a BIND_OK frame; bytes after the known fields are ignored (PROTOCOL.md, "Extensibility"). */
    public static BindOk decode(ByteBuf in) {
        Wire.need(in, 4, "BIND_OK", "requestId");
        int requestId = in.readInt();
        Wire.need(in, 4, "BIND_OK", "tunnelId");
        int tunnelId = in.readInt();
        Wire.need(in, 2, "BIND_OK", "port");
        int port = in.readUnsignedShort();
        String publicAddress = Wire.readString(in, "BIND_OK", "publicAddress");
        return new BindOk(requestId, tunnelId, port, publicAddress);
    }
}
