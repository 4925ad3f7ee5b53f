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
 * So with a target, once the session knows its queue delay and minimum RTT, the window is steered
 * (rule 4): set at each update to the delivered rate times the path's round trip plus the aimed-at
 * queue (the target, or a tenth of the round trip if more), at most halved or doubled per update,
 * never shrunk by more than the update's bytes, not below {@link #FLOOR}. Steered, credit returns
 * after a sixteenth of the window rather than half: credit returned in halves arrives in bursts of
 * half a window, which fill the bottleneck's queue for a third of a round trip and leave the link
 * idle for as long when the window is tight.
 */
final class ReceiveWindow {
    /** Windows shrink no lower than this (or the initial window, if smaller): a few frames in flight. */
    static final int FLOOR = 64 * 1024;
    /** Without a target, credit returns once half the window is consumed (PROTOCOL.md rule 1). */
    static final int UPDATE_DIVISOR = 2;
    /** Steered, once a sixteenth is (rule 4): short bursts, so a tight window keeps the link busy. */
    static final int STEERED_UPDATE_DIVISOR = 16;
    /**
     * The queue a steered window aims at is at least this share of the path's round trip: credit
     * returns in bursts of a sixteenth of a window, a sixteenth of a round trip each, so a target far
     * below that would leave the link idle between bursts on a long path.
     */
    static final double PATH_SHARE_OF_TARGET = 0.1;

    private final int initial;
    private final int floor;
    private final int max;
    private int window;
    private int credit;
    private int consumedUnacked;
    private long lastUpdateNanos;
    /** Steered: the delivered rate, bytes per nanosecond, averaged over about the last window delivered. */
    private double deliveredRate;

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
        boolean steered = targetDelayNanos > 0 && queueDelayNanos >= 0 && minRttNanos > 0;
        if (consumedUnacked < window / (steered ? STEERED_UPDATE_DIVISOR : UPDATE_DIVISOR)) {
            return 0;
        }
        long elapsed = Math.max(1, nowNanos - lastUpdateNanos);
        boolean windowLimited = minRttNanos > 0 && elapsed < 2 * minRttNanos; // rule 2, unsteered only
        long change = 0;
        if (steered) {
            // Steered: the window is what the stream delivers per round trip, with the aimed-at queue on
            // top: rate x (path + aim), plus what is consumed and not yet returned (half an update's
            // worth on average). The rate is averaged over about a window's bytes, a round trip, and
            // it reflects the window of a round trip ago, so a window too small grows by
            // (path + aim) / path per round trip, one too large shrinks to what the link delivers.
            long target = Math.max(targetDelayNanos, (long) (minRttNanos * PATH_SHARE_OF_TARGET));
            double share = Math.min(1, (double) consumedUnacked / window);
            double sample = (double) consumedUnacked / elapsed;
            deliveredRate = deliveredRate <= 0 ? sample : deliveredRate + (sample - deliveredRate) * share;
            double notReturned = 1 - 1.0 / (2 * STEERED_UPDATE_DIVISOR);
            long wanted = (long) (deliveredRate * (minRttNanos + target) / notReturned);
            wanted = Math.max(Math.max(Math.min(window, floor), window / 2), Math.min(Math.min(max, 2L * window), wanted));
            // Credit granted is never taken back: a shrink takes at most this update's bytes, so the
            // increment is never negative and this side's count of the peer's credit stays exact.
            change = Math.max(wanted - window, -consumedUnacked);
        } else if (windowLimited && window < max) {
            change = window; // the window was the limit: double
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
