package dev.homeport.protocol.mux;

/**
 * Receive-side credit of one stream, with auto-tuning (PROTOCOL.md, "Flow control").
 *
 * <p>The peer may have at most {@link #credit()} unacknowledged bytes in flight. Credit is returned
 * once half the window has been consumed. If that happens within two round trips of the previous
 * update, the window limited the sender, so it grows, up to the stream cap and while the session
 * budget allows: without a setting per link.
 *
 * <p>A window larger than the path needs does not add throughput: its surplus waits in a queue
 * (socket buffers, the bottleneck router), and every other stream of the session waits behind it.
 * So once the session's queue delay reaches half the target, the window is set from what the
 * stream delivers: its rate times the path's delay plus the target (at most halved or doubled per
 * update, not below {@link #FLOOR}).
 */
final class ReceiveWindow {
    /** Windows shrink no lower than this (or the initial window, if smaller): a few frames in flight. */
    static final int FLOOR = 64 * 1024;

    private final int initial;
    private final int floor;
    private final int max;
    private int window;
    private int credit;
    private int consumedUnacked;
    private long lastUpdateNanos;

    ReceiveWindow(int initial, int max, long nowNanos) {
        this.initial = initial;
        this.floor = Math.min(initial, FLOOR);
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
     * @param minRttNanos      the path's round trip without queues, or 0 while unknown (no growth then)
     * @param queueDelayNanos  the session's current queue delay, or -1 while unknown (no steering then)
     * @param targetDelayNanos the queue delay to steer toward, or 0 for none
     * @param growthBudget     how many bytes the session still allows windows to grow by
     * @return the increment to send in a WINDOW_UPDATE, or 0 for none yet
     */
    int consume(int bytes, long nowNanos, long minRttNanos, long queueDelayNanos, long targetDelayNanos, long growthBudget) {
        consumedUnacked += bytes;
        if (consumedUnacked < window / 2) {
            return 0;
        }
        long elapsed = Math.max(1, nowNanos - lastUpdateNanos);
        boolean windowLimited = minRttNanos > 0 && elapsed < 2 * minRttNanos;
        long change = 0;
        if (targetDelayNanos > 0 && queueDelayNanos >= targetDelayNanos / 2 && minRttNanos > 0) {
            // A queue: the stream runs at the bottleneck's rate, and needs that rate times the path's
            // delay plus the target in flight; more would only queue. Half or double per update at most.
            long wanted = (long) (consumedUnacked * ((double) (minRttNanos + targetDelayNanos) / elapsed));
            wanted = Math.max(Math.max(Math.min(window, floor), window / 2), Math.min(Math.min(max, 2L * window), wanted));
            change = wanted - window;
        } else if (windowLimited && window < max) {
            change = window; // no queue to speak of, and the window was the limit: double
        }
        if (change > 0) {
            change = Math.min(Math.min(change, max - window), growthBudget);
        }
        window += (int) change;
        lastUpdateNanos = nowNanos;
        int increment = consumedUnacked + (int) change;
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
        return Math.max(0, window - initial);
    }
}
