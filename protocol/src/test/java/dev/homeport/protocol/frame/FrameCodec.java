package dev.homeport.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.List;

/** Runs frames through the real encoder and decoder on EmbeddedChannels; every buffer returned is the caller's to release. */
public final class FrameCodec {
    private FrameCodec() {
    }

    /** Encodes the frames (taking ownership of them) into one buffer of wire bytes. */
    public static ByteBuf encode(Frame... frames) {
        EmbeddedChannel channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        try {
            for (Frame frame : frames) {
                channel.writeOutbound(frame);
            }
            for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
                out.writeBytes(b);
                b.release();
            }
            return out;
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** Decodes wire bytes (taking ownership of them) with a decoder accepting payloads up to {@code maxPayload}. */
    public static List<Frame> decode(int maxPayload, ByteBuf bytes) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(maxPayload));
        try {
            channel.writeInbound(bytes);
            List<Frame> frames = new ArrayList<>();
            for (Frame f; (f = channel.readInbound()) != null; ) {
                frames.add(f);
            }
            return frames;
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** Encodes then decodes one frame, as a peer would see it. */
    public static Frame roundTrip(Frame frame) {
        List<Frame> frames = decode(16 * 1024 * 1024, encode(frame));
        if (frames.size() != 1) {
            frames.forEach(Frame::release);
            throw new AssertionError("expected one frame, got " + frames.size());
        }
        return frames.get(0);
    }

    /** The bytes of a buffer without consuming it. */
    public static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return b;
    }
}
