package dev.homeport.protocol.message;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * Client asks for a tunnel: for {@link #KIND_TCP} a public port (0 means any free one).
 * {@code name} is the client's label for the tunnel, used in logs. Layout: PROTOCOL.md, "BIND".
 */
public record Bind(int requestId, int kind, int port, String name) implements ControlMessage {
    public static final int KIND_TCP = 1;

    public Bind {
        Objects.requireNonNull(name, "name");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
    }

    @Override
    public FrameType type() {
        return FrameType.BIND;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = alloc.buffer(4 + 1 + 2 + Wire.stringBytes(name));
        out.writeInt(requestId);
        out.writeByte(kind);
        out.writeShort(port);
        Wire.writeString(out, name);
        return new Frame(type(), 0, streamId, out);
    }

    /** Reads the payload of a BIND frame; bytes after the known fields are ignored (PROTOCOL.md, "Extensibility"). */
    public static Bind decode(ByteBuf in) {
        Wire.need(in, 4, "BIND", "requestId");
        int requestId = in.readInt();
        Wire.need(in, 1, "BIND", "kind");
        int kind = in.readUnsignedByte();
        Wire.need(in, 2, "BIND", "port");
        int port = in.readUnsignedShort();
        String name = Wire.readString(in, "BIND", "name");
        return new Bind(requestId, kind, port, name);
    }
}
