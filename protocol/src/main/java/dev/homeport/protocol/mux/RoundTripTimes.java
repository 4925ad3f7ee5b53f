package dev.homeport.protocol.mux;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Round-trip times of one session from its PINGs (PROTOCOL.md, "Keep-alive" and "Queue delay"):
 * <ul>
 *   <li>the smoothed RTT, queueing included, reported to users;</li>
 *   <li>the minimum RTT over the last {@link #MIN_RTT_WINDOW_NANOS}, the path's delay without the
 *       queues, which window growth uses (a queue inflates every other estimate);</li>
 *   <li>the queue delay: the least of the last {@link #RECENT_SAMPLES} samples above that minimum,
 *       while fresh. While it is known, windows are steered toward a target queue (ReceiveWindow,
 *       rule 4), because bytes in flight beyond the path's need sit in a queue, where every other
 *       stream's bytes wait behind them.</li>
 * </ul>
 */
final class RoundTripTimes {
    /** How long a minimum counts: a path that got slower is followed within this. */
    static final long MIN_RTT_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** The minimum is kept per bucket of a third of the window, so an old one ages out in steps. */
    private static final int BUCKETS = 3;
    /** Samples whose least is the current RTT: one late answer (a GC pause, a busy loop) is not a queue. */
    static final int RECENT_SAMPLES = 3;
    /** A queue-delay reading older than this (or than 4 current RTTs, if longer) is unknown. */
    static final long FRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private volatile long smoothedNanos;
    private final long[] bucketMin = new long[BUCKETS];
    private long bucketStartNanos;
    private int bucket;
    private final long[] recent = new long[RECENT_SAMPLES];
    private int recentCount;
    private long lastSampleNanos;
    private int samples;
    private long lastPingSent = Long.MIN_VALUE;
    private boolean outstanding;

    /**
     * @param handshakeRttNanos the handshake's round trip, the first estimate of both (it is an
     *                          upper bound: the handshake's crypto runs inside it)
     */
    RoundTripTimes(long handshakeRttNanos) {
        this.smoothedNanos = handshakeRttNanos;
        this.bucketMin[0] = handshakeRttNanos; // its bucket starts with the first answer
    }

    /** @return the opaque value of the PING sent at {@code nowNanos}: the clock, to be echoed */
    long pingSent(long nowNanos) {
        lastPingSent = nowNanos;
        outstanding = true;
        return nowNanos;
    }

    /** Whether a probe PING may go out now: none is unanswered, and the last left {@code minIntervalNanos} ago. */
    boolean probeDue(long nowNanos, long minIntervalNanos) {
        return !outstanding && (lastPingSent == Long.MIN_VALUE || nowNanos - lastPingSent >= minIntervalNanos);
    }

    /** A PING ACK: a sample only if it echoes the last PING, so a forged or stale ACK skews nothing. */
    void ackReceived(long opaque, long nowNanos) {
        if (opaque != lastPingSent || !outstanding) {
            return;
        }
        outstanding = false;
        long sample = nowNanos - opaque;
        if (sample <= 0) {
            return;
        }
        if (samples++ == 0) {
            bucketStartNanos = nowNanos;
        }
        long previous = smoothedNanos;
        smoothedNanos = previous <= 0 ? sample : (7 * previous + sample) / 8;
        rotateBuckets(nowNanos);
        if (bucketMin[bucket] <= 0 || sample < bucketMin[bucket]) {
            bucketMin[bucket] = sample;
        }
        recent[recentCount++ % RECENT_SAMPLES] = sample;
        lastSampleNanos = nowNanos;
    }

    private void rotateBuckets(long nowNanos) {
        if (nowNanos - bucketStartNanos >= MIN_RTT_WINDOW_NANOS) {
            Arrays.fill(bucketMin, 0); // silent for a whole window: every bucket is stale
            bucketStartNanos = nowNanos;
            return;
        }
        long bucketNanos = MIN_RTT_WINDOW_NANOS / BUCKETS;
        while (nowNanos - bucketStartNanos >= bucketNanos) {
            bucketStartNanos += bucketNanos;
            bucket = (bucket + 1) % BUCKETS;
            bucketMin[bucket] = 0;
        }
    }

    /** Readable from any thread. */
    long smoothedNanos() {
        return smoothedNanos;
    }

    /** The least RTT of the last {@link #MIN_RTT_WINDOW_NANOS} (the handshake's until a sample beats it), 0 if none. */
    long minNanos() {
        long min = 0;
        for (long m : bucketMin) {
            if (m > 0 && (min == 0 || m < min)) {
                min = m;
            }
        }
        return min;
    }

    /** Answers counted so far. */
    int samples() {
        return samples;
    }

    /** @return the queueing in the recent round trips, or -1 if no fresh reading exists */
    long queueDelayNanos(long nowNanos) {
        if (recentCount == 0) {
            return -1;
        }
        long current = Long.MAX_VALUE;
        for (int i = 0; i < Math.min(recentCount, RECENT_SAMPLES); i++) {
            current = Math.min(current, recent[i]);
        }
        if (nowNanos - lastSampleNanos > Math.max(FRESH_NANOS, 4 * current)) {
            return -1;
        }
        return Math.max(0, current - minNanos());
    }
}
