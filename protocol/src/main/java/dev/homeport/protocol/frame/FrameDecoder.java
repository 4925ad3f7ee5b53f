package dev.homeport.protocol.frame;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Splits the byte stream into frames and rejects, before buffering its payload, any frame whose
 * version, type, stream id or length breaks PROTOCOL.md. A rejected stream of bytes cannot be
 * resynchronised, so after the first error the decoder discards everything that follows.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxPayload;
    private boolean failed;

    /** @param maxPayload the largest payload accepted, this side's {@code maxFramePayload} setting */
    public FrameDecoder(int maxPayload) {
        this.maxPayload = maxPayload;
        // DATA payloads are retained slices of what was read, alive until written on: a merging
        // cumulator would have to copy the whole buffer on every read while any is alive.
        setCumulator(COMPOSITE_CUMULATOR);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            int start = in.readerIndex();
            int version = in.getUnsignedByte(start);
            if (version != Frame.VERSION) {
                // The first byte is enough: a peer of another version need not send a whole header to be told.
                throw fail(ErrorCode.UNSUPPORTED_VERSION,
                        "frame version " + version + " is not supported; this peer speaks version " + Frame.VERSION);
            }
            if (in.readableBytes() < Frame.HEADER_LENGTH) {
                return;
            }
            int typeCode = in.getUnsignedByte(start + 1);
            int flags = in.getUnsignedShort(start + 2);
            int streamId = in.getInt(start + 4);
            long length = in.getUnsignedInt(start + 8);
            FrameType type = validate(typeCode, streamId, length);
            if (in.readableBytes() < Frame.HEADER_LENGTH + length) {
                return;
            }
            in.skipBytes(Frame.HEADER_LENGTH);
            out.add(new Frame(type, flags, streamId, in.readRetainedSlice((int) length)));
        }
    }

    private FrameType validate(int typeCode, int streamId, long length) {
        FrameType type = FrameType.of(typeCode);
        if (type == null) {
            throw fail(ErrorCode.PROTOCOL_ERROR, "unknown frame type 0x" + Integer.toHexString(typeCode));
        }
        if (length > maxPayload) {
            throw fail(ErrorCode.FRAME_TOO_LARGE,
                    type + " frame payload of " + length + " bytes exceeds the limit of " + maxPayload);
        }
        if (type.onStream() && streamId == 0 && type != FrameType.WINDOW_UPDATE) {
            throw fail(ErrorCode.PROTOCOL_ERROR, type + " frame needs a non-zero stream id");
        }
        if (!type.onStream() && streamId != 0) {
            throw fail(ErrorCode.PROTOCOL_ERROR, type + " frame must carry stream id 0, got " + Integer.toUnsignedString(streamId));
        }
        return type;
    }

    private ProtocolException fail(ErrorCode code, String message) {
        failed = true;
        return new ProtocolException(code, message);
    }
}
