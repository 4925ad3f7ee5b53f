package dev.homeport.server.tls.acme;

import org.shredzone.acme4j.exception.AcmeRateLimitedException;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * How long a name waits after its orders failed: {@code retryMin}, doubled per failure in a row, at
 * most {@code retryMax}, or longer when a rate-limited CA says when to come back. Used on the ACME
 * thread only.
 */
final class OrderBackoff {
    private final AcmeSettings settings;
    private final Map<String, Integer> failures = new HashMap<>();

    OrderBackoff(AcmeSettings settings) {
        this.settings = settings;
    }

    /** Counts a failure for {@code host}; the attempts failed in a row, this one included. */
    int failed(String host) {
        return failures.merge(host, 1, Integer::sum);
    }

    /** {@code host} has a certificate: its next failure counts from one again. */
    void reset(String host) {
        failures.remove(host);
    }

    /** The wait after failed attempt number {@code attempt}, which ended with {@code e}. */
    Duration after(int attempt, Exception e) {
        Duration wait = backoff(attempt);
        if (e instanceof AcmeRateLimitedException limited && limited.getRetryAfter().isPresent()) {
            Duration told = Duration.between(Instant.now(), limited.getRetryAfter().get());
            wait = told.compareTo(wait) > 0 ? told : wait; // the CA's word beats our schedule
        }
        return wait;
    }

    /** retryMin, doubled per failure, at most retryMax. */
    Duration backoff(int attempt) {
        Duration wait = settings.retryMin();
        for (int i = 1; i < attempt && wait.compareTo(settings.retryMax()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(settings.retryMax()) > 0 ? settings.retryMax() : wait;
    }
}
