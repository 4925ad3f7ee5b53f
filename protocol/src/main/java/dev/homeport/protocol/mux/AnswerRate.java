package dev.homeport.protocol.mux;

import java.util.concurrent.TimeUnit;

/**
 * The bound on frames that ask this side for an answer (PROTOCOL.md, "Answers to a peer that does
 * not read", {@code maxAnswerRate}): a peer may ask at most that many a second, with one second's
 * worth at once. Each answer costs this side's loop work that its other sessions wait behind, and a
 * peer that does not read has the kernel's socket buffers, megabytes, take answers before the control
 * backlog counts any; this bound ends such a peer within a second's worth of answers.
 * Kept as the time at which the allowance would be empty again (a virtual clock, as in GCRA), so it
 * needs no timer. On the session's loop only.
 */
final class AnswerRate {
    private static final long BURST_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int perSecond;
    private final long nanosPerAnswer;
    /** When every answer allowed so far would have been used up at exactly {@link #perSecond}. */
    private long busyUntil;
    private boolean started;

    AnswerRate(int perSecond) {
        this.perSecond = perSecond;
        this.nanosPerAnswer = Math.max(1, BURST_NANOS / perSecond);
    }

    /** @return false if this frame asks for more than {@link #perSecond} answers within a second */
    boolean ask(long nowNanos) {
        if (!started || busyUntil - nowNanos < 0) {
            busyUntil = nowNanos; // idle for a while: a full second's worth is allowed again
            started = true;
        }
        if (busyUntil - nowNanos >= BURST_NANOS) {
            return false;
        }
        busyUntil += nanosPerAnswer;
        return true;
    }

    int perSecond() {
        return perSecond;
    }
}
