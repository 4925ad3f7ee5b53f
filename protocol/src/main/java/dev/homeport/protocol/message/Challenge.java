package dev.homeport.protocol.message;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Server's answer to HELLO: the chosen version and a fresh nonce the client must sign. Layout: PROTOCOL.md, "CHALLENGE". */
public record Challenge(int version, byte[] serverNonce) implements ControlMessage {
    public static final int NONCE_LENGTH = 32;

    public Challenge {
        if (serverNonce.length != NONCE_LENGTH) throw new IllegalArgumentException("serverNonce must be " + NONCE_LENGTH + " bytes");
    }

    @Override
    public FrameType type() {
        return FrameType.CHALLENGE;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = alloc.buffer(1 + NONCE_LENGTH);
        out.writeByte(version);
        out.writeBytes(serverNonce);
        return new Frame(type(), 0, streamId, out);
    }

    /** Reads the payload of a CHALLENGE frame; bytes after the known fields are ignored (PROTOCOL.md, "Extensibility"). */
    public static Challenge decode(ByteBuf in) {
        Wire.need(in, 1, "CHALLENGE", "version");
        int version = in.readUnsignedByte();
        byte[] serverNonce = Wire.readBytes(in, NONCE_LENGTH, "CHALLENGE", "serverNonce");
        return new Challenge(version, serverNonce);
    }
}
