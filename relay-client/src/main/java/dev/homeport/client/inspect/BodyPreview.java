package dev.homeport.client.inspect;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/** The first {@code limit} bytes of one body, copied out of the passing buffers, and the count of all of them. */
final class BodyPreview {
    private static final byte[] EMPTY = new byte[0];

    private final int limit;
    private byte[] kept = EMPTY;
    private int keptLength;
    private long total;

    BodyPreview(int limit) {
        this.limit = limit;
    }

    void add(ByteBuf buf, int index, int length) {
        total += length;
        int take = Math.min(length, limit - keptLength);
        if (take <= 0) {
            return;
        }
        if (kept.length < keptLength + take) {
            kept = Arrays.copyOf(kept, Math.min(limit, Math.max(keptLength + take, kept.length * 2)));
        }
        buf.getBytes(index, kept, keptLength, take);
        keptLength += take;
    }

    long total() {
        return total;
    }

    /** What was kept; the caller owns the array. */
    byte[] bytes() {
        return keptLength == kept.length ? kept : Arrays.copyOf(kept, keptLength);
    }
}
