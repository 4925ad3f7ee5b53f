package dev.homeport.protocol.mux;

/**
 * Receive-side credit of one stream, with auto-tuning (PROTOCOL.md, "Flow control").
 *
 * <p>The peer may have at most {@link #credit()} unacknowledged bytes in flight. Credit is returned
 * once half the window has been consumed. If that happens within two round trips of the previous
 * update, the window limited the sender, so it doubles, up to the stream cap and while the session
 * budget allows: the window settles near twice the bandwidth-delay product without a setting per link.
 */
final class ReceiveWindow {
    private final int initial;
    private final int max;
    private int window;
    private int credit;
    private int consumedUnacked;
    private long lastUpdateNanos;

    ReceiveWindow(int initial, int max, long nowNanos) {
        this.initial = initial;
        this.max = max;
        this.window = initial;
        this.credit = initial;
        this.lastUpdateNanos = nowNanos;
    }

    /** @return false if {@code bytes} exceed the credit: the peer broke flow control */
    boolean receive(int bytes) {
        if (bytes > credit) {
            return false;
        }
        credit -= bytes;
        return true;
    }

    /**
     * Records consumed bytes.
     *
     * @param rttNanos     smoothed round-trip time, or 0 while unknown (no growth then)
     * @param growthBudget how many bytes the session still allows windows to grow by
     * @return the increment to send in a WINDOW_UPDATE, or 0 for none yet
     */
    int consume(int bytes, long nowNanos, long rttNanos, long growthBudget) {
        consumedUnacked += bytes;
        if (consumedUnacked < window / 2) {
            return 0;
        }
        int growth = 0;
        if (rttNanos > 0 && nowNanos - lastUpdateNanos < 2 * rttNanos && window < max) {
            growth = (int) Math.min(Math.min(window, max - window), growthBudget);
            window += growth;
        }
        lastUpdateNanos = nowNanos;
        int increment = consumedUnacked + growth;
        credit += increment;
        consumedUnacked = 0;
        return increment;
    }

    int credit() {
        return credit;
    }

    int window() {
        return window;
    }

    /** Bytes above the initial window: what this stream takes from the session budget. */
    int grown() {
        return window - initial;
    }
}
