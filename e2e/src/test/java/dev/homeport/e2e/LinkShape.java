package dev.homeport.e2e;

import java.time.Duration;

/**
 * How a {@link FaultProxy} treats the bytes of one direction: held back by {@code latency}, sent at
 * no more than {@code bytesPerSecond} (0: no cap), and written in segments of 1 to {@code maxSegment}
 * bytes with TCP_NODELAY (0: as read), so that the receiver's decoders see frames split anywhere.
 */
record LinkShape(Duration latency, long bytesPerSecond, int maxSegment) {
    static final LinkShape CLEAN = new LinkShape(Duration.ZERO, 0, 0);

    LinkShape {
        if (latency == null || latency.isNegative()) {
            throw new IllegalArgumentException("latency must be zero or positive, got " + latency);
        }
        if (bytesPerSecond < 0 || maxSegment < 0) {
            throw new IllegalArgumentException("bytesPerSecond and maxSegment must be zero or positive");
        }
    }

    LinkShape withLatency(Duration d) {
        return new LinkShape(d, bytesPerSecond, maxSegment);
    }

    LinkShape withBandwidth(long bytesPerSecondCap) {
        return new LinkShape(latency, bytesPerSecondCap, maxSegment);
    }

    LinkShape withSegmentsUpTo(int bytes) {
        return new LinkShape(latency, bytesPerSecond, bytes);
    }

    @Override
    public String toString() {
        return "latency=" + latency.toMillis() + "ms bandwidth=" + (bytesPerSecond == 0 ? "-" : bytesPerSecond + "B/s")
                + " segments=" + (maxSegment == 0 ? "-" : "1-" + maxSegment + "B");
    }
}
