package dev.homeport.server.auth;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed handshakes per source address, as a token bucket: {@code burst} failures are free, then
 * one more per {@code refill}; an address with an empty bucket has its new connections closed
 * before any TLS or handshake work. A bounded table keeps a flood of addresses from costing memory.
 */
public final class HandshakeRateLimiter {
    /** Addresses tracked at once; past this the oldest idle entries are dropped. */
    public static final int MAX_TRACKED = 65_536;

    private final int burst;
    private final long refillNanos;
    private final Map<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }

        void refill(long now, int burst, long refillNanos) {
            tokens = Math.min(burst, tokens + (double) (now - updatedNanos) / refillNanos);
            updatedNanos = now;
        }
    }

    public HandshakeRateLimiter(int burst, Duration refill) {
        if (burst < 1) {
            throw new IllegalArgumentException("auth failure burst must be at least 1, got " + burst);
        }
        if (refill.isNegative() || refill.isZero()) {
            throw new IllegalArgumentException("auth failure refill must be positive, got " + refill);
        }
        this.burst = burst;
        this.refillNanos = refill.toNanos();
    }

    /** @return false if {@code address} used up its failures: close its connection at once */
    public boolean allows(InetAddress address) {
        Bucket b = buckets.get(address);
        if (b == null) {
            return true;
        }
        synchronized (b) {
            b.refill(System.nanoTime(), burst, refillNanos);
            return b.tokens >= 1;
        }
    }

    /** Counts one failed handshake from {@code address}. */
    public void failed(InetAddress address) {
        long now = System.nanoTime();
        if (buckets.size() >= MAX_TRACKED) {
            evictRefilled(now);
        }
        Bucket b = buckets.computeIfAbsent(address, a -> new Bucket(burst, now));
        synchronized (b) {
            b.refill(now, burst, refillNanos);
            b.tokens = Math.max(0, b.tokens - 1);
        }
    }

    private void evictRefilled(long now) {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            synchronized (b) {
                b.refill(now, burst, refillNanos);
                if (b.tokens >= burst) {
                    it.remove();
                }
            }
        }
        if (buckets.size() >= MAX_TRACKED) {
            buckets.clear(); // every tracked address is mid-attack; start over rather than grow
        }
    }
}
