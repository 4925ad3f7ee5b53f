package dev.homeport.protocol.message;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Client's opening: the protocol versions it speaks, its nonce for the auth proof, and its receive limits. Layout: PROTOCOL.md, "HELLO". */
public record Hello(int minVersion, int maxVersion, byte[] clientNonce, int initialWindow, int maxFramePayload, String agent) implements ControlMessage {
    public static final int NONCE_LENGTH = 32;

    public Hello {
        if (clientNonce.length != NONCE_LENGTH) throw new IllegalArgumentException("clientNonce must be " + NONCE_LENGTH + " bytes");
        java.util.Objects.requireNonNull(agent, "agent");
    }

    @Override
    public FrameType type() {
        return FrameType.HELLO;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = alloc.buffer(1 + 1 + NONCE_LENGTH + 4 + 4 + Wire.stringBytes(agent));
        out.writeByte(minVersion);
        out.writeByte(maxVersion);
        out.writeBytes(clientNonce);
        out.writeInt(initialWindow);
        out.writeInt(maxFramePayload);
        Wire.writeString(out, agent);
        return new Frame(type(), 0, streamId, out);
    }

    /** Reads the payload of a HELLO frame; bytes after the known fields are ignored (PROTOCOL.md, "Extensibility"). */
    public static Hello decode(ByteBuf in) {
        Wire.need(in, 1, "HELLO", "minVersion");
        int minVersion = in.readUnsignedByte();
        Wire.need(in, 1, "HELLO", "maxVersion");
        int maxVersion = in.readUnsignedByte();
        byte[] clientNonce = Wire.readBytes(in, NONCE_LENGTH, "HELLO", "clientNonce");
        Wire.need(in, 4, "HELLO", "initialWindow");
        int initialWindow = in.readInt();
        Wire.need(in, 4, "HELLO", "maxFramePayload");
        int maxFramePayload = in.readInt();
        String agent = Wire.readString(in, "HELLO", "agent");
        return new Hello(minVersion, maxVersion, clientNonce, initialWindow, maxFramePayload, agent);
    }
}
