package dev.homeport.protocol.mux;

/**
 * Round-trip times of one session from its PINGs (PROTOCOL.md, "Keep-alive"): the smoothed RTT,
 * queueing included, reported to users; and the minimum, the path's delay without the queues, which
 * window growth uses, because a queue behind a bulk stream inflates the smoothed RTT, which would
 * grow the windows, which would grow the queue (bufferbloat).
 */
final class RoundTripTimes {
    /** Pings over which the minimum RTT is taken (about five minutes at the default interval). */
    static final int MIN_RTT_SAMPLES = 30;

    private volatile long smoothedNanos;
    private long minNanos;
    private int samplesSinceMin;
    private long lastPingSent = Long.MIN_VALUE;

    /** @param handshakeRttNanos the handshake's round trip, the first estimate of both */
    RoundTripTimes(long handshakeRttNanos) {
        this.smoothedNanos = handshakeRttNanos;
        this.minNanos = handshakeRttNanos;
    }

    /** @return the opaque value of the PING sent at {@code nowNanos}: the clock, to be echoed */
    long pingSent(long nowNanos) {
        lastPingSent = nowNanos;
        return nowNanos;
    }

    /** A PING ACK: a sample only if it echoes the last PING, so a forged or stale ACK skews nothing. */
    void ackReceived(long opaque, long nowNanos) {
        if (opaque != lastPingSent) {
            return;
        }
        long sample = nowNanos - opaque;
        if (sample <= 0) {
            return;
        }
        long previous = smoothedNanos;
        smoothedNanos = previous <= 0 ? sample : (7 * previous + sample) / 8;
        // A fresh minimum every MIN_RTT_SAMPLES pings, so that a path that got slower is followed.
        if (minNanos <= 0 || sample < minNanos || ++samplesSinceMin >= MIN_RTT_SAMPLES) {
            minNanos = sample;
            samplesSinceMin = 0;
        }
    }

    /** Readable from any thread. */
    long smoothedNanos() {
        return smoothedNanos;
    }

    long minNanos() {
        return minNanos;
    }
}
