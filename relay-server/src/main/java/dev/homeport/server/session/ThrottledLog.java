package dev.homeport.server.session;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one log line per interval for an event anyone on the network can cause at will, so that
 * a flood of it cannot fill the disk; the line that is written says how many were left out. The
 * event's metric counts every one.
 */
final class ThrottledLog {
    private final long intervalNanos;
    private final AtomicLong nextAt = new AtomicLong(System.nanoTime());
    private final AtomicLong leftOut = new AtomicLong();

    ThrottledLog(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** @return -1 when this event goes unlogged, else how many went unlogged since the last one logged */
    long admit() {
        long now = System.nanoTime();
        long due = nextAt.get();
        if (now - due >= 0 && nextAt.compareAndSet(due, now + intervalNanos)) {
            return leftOut.getAndSet(0);
        }
        leftOut.incrementAndGet();
        return -1;
    }
}
