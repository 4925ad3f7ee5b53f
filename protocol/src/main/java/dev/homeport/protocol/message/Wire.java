package dev.homeport.protocol.message;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/** Field readers and writers shared by the control messages, each bounds-checked against PROTOCOL.md. */
final class Wire {
    /** Longest UTF-8 string field in any control message (PROTOCOL.md, "Strings"). */
    static final int MAX_STRING_BYTES = 1024;

    private Wire() {
    }

    static void need(ByteBuf in, int bytes, String message, String field) {
        if (in.readableBytes() < bytes) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR,
                    message + " payload truncated at field " + field + ": needs " + bytes + " more bytes, has " + in.readableBytes());
        }
    }

    static void writeString(ByteBuf out, String s) {
        int length = checkedLength(s);
        out.writeShort(length);
        out.writeCharSequence(s, StandardCharsets.UTF_8);
    }

    static String readString(ByteBuf in, String message, String field) {
        need(in, 2, message, field);
        int length = in.readUnsignedShort();
        if (length > MAX_STRING_BYTES) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR,
                    message + " field " + field + " is " + length + " bytes; the limit is " + MAX_STRING_BYTES);
        }
        need(in, length, message, field);
        return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    static byte[] readBytes(ByteBuf in, int length, String message, String field) {
        need(in, length, message, field);
        byte[] b = new byte[length];
        in.readBytes(b);
        return b;
    }

    /** Every message sizes its buffer with this before allocating, so a too-long string fails before there is a buffer to leak. */
    static int stringBytes(String s) {
        return 2 + checkedLength(s);
    }

    /** Shortens a free-text field (a reason) to fit {@link #MAX_STRING_BYTES}, so a long reason never fails a send. */
    static String fit(String s) {
        if (ByteBufUtil.utf8Bytes(s) <= MAX_STRING_BYTES) {
            return s;
        }
        int end = Math.min(s.length(), MAX_STRING_BYTES / 3 - 3);
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "...";
    }

    private static int checkedLength(String s) {
        int length = ByteBufUtil.utf8Bytes(s);
        if (length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string field of " + length + " bytes exceeds " + MAX_STRING_BYTES);
        }
        return length;
    }
}
