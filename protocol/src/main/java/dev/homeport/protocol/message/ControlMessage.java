package dev.homeport.protocol.message;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBufAllocator;

/** A frame payload with fields (as opposed to DATA's opaque bytes); each type documents its layout. */
public interface ControlMessage {
    FrameType type();

    /** Encodes this message into a new frame; the caller owns (and writes or releases) it. */
    Frame toFrame(ByteBufAllocator alloc, int streamId);

    default Frame toFrame(ByteBufAllocator alloc) {
        return toFrame(alloc, 0);
    }
}
