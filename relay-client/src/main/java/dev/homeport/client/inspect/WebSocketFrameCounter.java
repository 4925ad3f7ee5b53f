package dev.homeport.client.inspect;

import io.netty.buffer.ByteBuf;

/**
 * Counts the WebSocket frames of one direction (RFC 6455 section 5.2) by reading only each frame's
 * header, 2 to 14 bytes, and skipping its payload by length: nothing is unmasked or copied.
 */
final class WebSocketFrameCounter {
    private final Runnable onFrame;
    /** Header bytes of the frame being read, up to 14. */
    private final byte[] header = new byte[14];
    private int headerLength;
    private long payloadLeft;

    WebSocketFrameCounter(Runnable onFrame) {
        this.onFrame = onFrame;
    }

    void scan(ByteBuf buf, int i, int end) {
        while (i < end) {
            if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, end - i);
                i += n;
                payloadLeft -= n;
                continue;
            }
            header[headerLength++] = buf.getByte(i++);
            int need = needed();
            if (headerLength == need) {
                payloadLeft = payloadLength();
                headerLength = 0;
                onFrame.run();
            }
        }
    }

    /** Header length implied by what is read so far. */
    private int needed() {
        if (headerLength < 2) {
            return 2;
        }
        int len7 = header[1] & 0x7f;
        int mask = (header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + mask;
    }

    private long payloadLength() {
        int len7 = header[1] & 0x7f;
        if (len7 < 126) {
            return len7;
        }
        if (len7 == 126) {
            return ((header[2] & 0xffL) << 8) | (header[3] & 0xffL);
        }
        long n = 0;
        for (int k = 2; k < 10; k++) {
            n = (n << 8) | (header[k] & 0xffL);
        }
        return n & Long.MAX_VALUE;
    }
}
