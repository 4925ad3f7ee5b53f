package dev.homeport.server.admission;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of something (sessions, tunnels) each token holds, against a cap. Taking and giving
 * back are atomic per token, so concurrent takers on different threads never pass the cap; a token
 * holding none has no entry, so the table is never larger than the tokens in use.
 */
public final class PerTokenCount {
    private final int max;
    private final Map<String, Integer> held = new ConcurrentHashMap<>();

    public PerTokenCount(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the cap must be at least 1, got " + max);
        }
        this.max = max;
    }

    public int max() {
        return max;
    }

    /** Counts one more for {@code principal}, unless it holds the cap already; returns whether it did. */
    public boolean tryTake(String principal) {
        boolean[] taken = {false};
        held.compute(principal, (p, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Gives back one that {@link #tryTake} counted. */
    public void give(String principal) {
        held.computeIfPresent(principal, (p, n) -> n <= 1 ? null : n - 1);
    }

    public int held(String principal) {
        return held.getOrDefault(principal, 0);
    }
}
