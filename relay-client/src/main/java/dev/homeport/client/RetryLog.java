package dev.homeport.client;

/**
 * Which reconnect attempts get a log line: the first of each reason, then the 2nd, 4th, 8th... in a
 * row with that same reason, so that a relay down for an hour gives a dozen lines, not thousands,
 * and each says how many attempts it stands for. The others are logged at debug level.
 */
final class RetryLog {
    private String reason;
    private int repeats;

    /** Counts one more failed attempt with {@code why}; true when it deserves a line. */
    boolean shouldLog(String why) {
        if (!why.equals(reason)) {
            reason = why;
            repeats = 0;
        }
        repeats++;
        return Integer.bitCount(repeats) == 1;
    }

    /** Failed attempts in a row with the current reason. */
    int repeats() {
        return repeats;
    }

    void reset() {
        reason = null;
        repeats = 0;
    }
}
