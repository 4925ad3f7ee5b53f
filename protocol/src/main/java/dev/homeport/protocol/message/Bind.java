package dev.homeport.protocol.message;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * Client asks for a tunnel: for {@link #KIND_TCP} a public port (0 means any free one), for
 * {@link #KIND_HTTP} the host name whose requests it serves ({@code port} is then 0).
 * {@code name} is the client's label for the tunnel, used in logs. Layout: PROTOCOL.md, "BIND".
 */
public record Bind(int requestId, int kind, int port, String name, String hostname) implements ControlMessage {
    public static final int KIND_TCP = 1;
    public static final int KIND_HTTP = 2;

    /** A BIND without a host name, as every TCP tunnel asks. */
    public Bind(int requestId, int kind, int port, String name) {
        this(requestId, kind, port, name, "");
    }

    public Bind {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hostname, "hostname");
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
        ByteBuf out = alloc.buffer(4 + 1 + 2 + Wire.stringBytes(name) + Wire.stringBytes(hostname));
        out.writeInt(requestId);
        out.writeByte(kind);
        out.writeShort(port);
        Wire.writeString(out, name);
        Wire.writeString(out, hostname);
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
        // hostname came later: a peer that predates it ends the payload after name.
        String hostname = in.isReadable() ? Wire.readString(in, "BIND", "hostname") : "";
        return new Bind(requestId, kind, port, name, hostname);
    }
}
