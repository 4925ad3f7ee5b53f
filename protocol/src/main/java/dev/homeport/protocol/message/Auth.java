package dev.homeport.protocol.message;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Client's proof that it holds a token: the token's public id and an HMAC over both nonces. Layout: PROTOCOL.md, "AUTH". */
public record Auth(long tokenId, byte[] mac) implements ControlMessage {
    public static final int MAC_LENGTH = 32;

    public Auth {
        if (mac.length != MAC_LENGTH) throw new IllegalArgumentException("mac must be " + MAC_LENGTH + " bytes");
    }

    @Override
    public FrameType type() {
        return FrameType.AUTH;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = alloc.buffer(8 + MAC_LENGTH);
        out.writeLong(tokenId);
        out.writeBytes(mac);
        return new Frame(type(), 0, streamId, out);
    }

    /** Reads the payload of a AUTH frame; bytes after the known fields are ignored (PROTOCOL.md, "Extensibility"). */
    public static Auth decode(ByteBuf in) {
        Wire.need(in, 8, "AUTH", "tokenId");
        long tokenId = in.readLong();
        byte[] mac = Wire.readBytes(in, MAC_LENGTH, "AUTH", "mac");
        return new Auth(tokenId, mac);
    }
}
