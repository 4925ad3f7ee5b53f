package dev.homeport.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * One frame: the fixed header fields plus a payload buffer this frame owns.
 * The payload of a DATA frame is a retained slice of what the socket read, never a copy.
 */
public final class Frame extends DefaultByteBufHolder {
    /** Header: version u8, type u8, flags u16, stream id u32, payload length u32 (big-endian). */
    public static final int HEADER_LENGTH = 12;
    public static final int VERSION = 1;
    /** On PING: this frame answers a PING (a pong). */
    public static final int FLAG_ACK = 0x1;
    /** On GO_AWAY: the sender has no stream left and sends nothing more (PROTOCOL.md, "GO_AWAY"). */
    public static final int FLAG_DRAINED = 0x1;

    private final FrameType type;
    private final int flags;
    private final int streamId;

    public Frame(FrameType type, int flags, int streamId, ByteBuf payload) {
        super(payload);
        this.type = type;
        this.flags = flags;
        this.streamId = streamId;
    }

    public static Frame empty(FrameType type, int streamId) {
        return new Frame(type, 0, streamId, Unpooled.EMPTY_BUFFER);
    }

    public static Frame data(int streamId, ByteBuf payload) {
        return new Frame(FrameType.DATA, 0, streamId, payload);
    }

    public FrameType type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    public int streamId() {
        return streamId;
    }

    public ByteBuf payload() {
        return content();
    }

    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(type, flags, streamId, content);
    }

    @Override
    public Frame retain() {
        super.retain();
        return this;
    }

    @Override
    public String toString() {
        return "Frame(" + type + " stream=" + streamId + " flags=" + flags + " length=" + content().readableBytes() + ')';
    }
}
