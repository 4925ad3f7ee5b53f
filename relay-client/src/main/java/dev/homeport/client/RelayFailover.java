package dev.homeport.client;

import dev.homeport.client.transport.RelayHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What the client does after a failure: try the next relay at once, or, when every relay failed in
 * this round, wait out the backoff. It logs one line per move after a lost session and one per round
 * (at info as {@link RetryLog} decides), and the moves within a round at debug. A session shorter
 * than {@link #STABLE_SESSION} counts as one more failure of its round, so that relays which accept
 * and drop the client at once get the backoff rather than a tight loop. Used on the client's event
 * loop only.
 */
final class RelayFailover {
    private static final Logger log = LoggerFactory.getLogger(RelayFailover.class);
    static final Duration STABLE_SESSION = Duration.ofSeconds(1);

    /** What to tell the user, and how long to wait before the next connect ({@link Duration#ZERO}: at once). */
    record Retry(String reason, Duration delay) {
    }

    private final RelayRotation relays;
    private final Backoff backoff;
    private final RetryLog retryLog = new RetryLog();
    /** Why each relay failed in the round so far, for the line that ends it. */
    private final List<String> roundFailures = new ArrayList<>();
    private final LongSupplier nanoTime;
    /** Failed rounds in a row: every relay failed in each. */
    private int rounds;
    private long sessionStart;

    /** @param resolver how relay names become addresses, or {@code null} to leave them to a proxy */
    RelayFailover(List<RelayHost> relays, RelayResolver resolver, Backoff backoff) {
        this(new RelayRotation(relays, resolver, new SecureRandom()), backoff, System::nanoTime);
    }

    RelayFailover(RelayRotation relays, Backoff backoff, LongSupplier nanoTime) {
        this.relays = relays;
        this.backoff = backoff;
        this.nanoTime = nanoTime;
    }

    /** The relay to connect to now. */
    RelayCandidate current() {
        return relays.current();
    }

    /** "2 of 3": where the current relay is in the list. */
    String place() {
        return relays.position() + " of " + relays.size();
    }

    /** How the status line names the current relay: {@code B:7700}, or {@code B:7700 (2 of 3)} among several. */
    String inUse() {
        return relays.current().label() + (relays.size() > 1 ? " (" + place() + ")" : "");
    }

    int rounds() {
        return rounds;
    }

    /** A session started on the current relay. */
    void connected() {
        sessionStart = nanoTime.getAsLong();
    }

    /** {@code relay} failed for {@code reason}; {@code hadSession} when a session on it was lost. */
    Retry failed(RelayCandidate relay, String reason, boolean hadSession) {
        if (hadSession && nanoTime.getAsLong() - sessionStart >= STABLE_SESSION.toNanos()) {
            // The session served: this loss begins a new round, and the backoff starts over.
            relays.connected();
            roundFailures.clear();
            retryLog.reset();
            rounds = 0;
        }
        int size = relays.size();
        roundFailures.add(size == 1 || reason.contains(relay.relay().hostPort()) ? reason : relay.label() + ": " + reason);
        if (!relays.failed()) {
            RelayCandidate next = relays.current();
            if (hadSession) {
                log.info("event=relay_switch from=\"{}\" to=\"{}\" place=\"{}\" reason=\"{}\"", relay.label(), next.label(),
                        place(), reason);
            } else {
                log.debug("event=relay_failed relay=\"{}\" next=\"{}\" reason=\"{}\"", relay.label(), next.label(), reason);
            }
            return new Retry(reason, Duration.ZERO);
        }
        String why = size > 1 ? "all " + size + " relays failed: " + String.join("; ", roundFailures) : reason;
        roundFailures.clear();
        Duration delay = backoff.delay(rounds++);
        if (retryLog.shouldLog(why)) {
            log.info("event=disconnected reason=\"{}\" attempts={} retry_in_ms={}", why, retryLog.repeats(), delay.toMillis());
        } else {
            log.debug("event=disconnected reason=\"{}\" attempts={} retry_in_ms={}", why, retryLog.repeats(), delay.toMillis());
        }
        return new Retry(why, delay);
    }
}
