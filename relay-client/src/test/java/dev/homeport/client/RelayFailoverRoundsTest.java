package dev.homeport.client;

import dev.homeport.client.transport.RelayHost;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** When a failure moves the client on at once and when it waits: rounds, the backoff, and sessions that do not last. */
class RelayFailoverRoundsTest {
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    private final AtomicLong now = new AtomicLong();
    private final RelayFailover failover = new RelayFailover(new RelayRotation(
            List.of(new RelayHost("a.test", 7700), new RelayHost("b.test", 7700)),
            host -> List.of(InetAddress.getByName(host.equals("a.test") ? "192.0.2.1" : "192.0.2.2")),
            new Random(1)), BACKOFF, now::get);

    @Test
    void aLostSessionThatServedMovesOnAtOnceAndOnlyAFullRoundWaits() {
        RelayCandidate first = failover.current();
        failover.connected();
        elapse(Duration.ofMinutes(5));
        assertThat(failover.failed(first, "session closed: connection closed", true).delay()).isZero();
        RelayCandidate second = failover.current();
        assertThat(second).isNotEqualTo(first);
        RelayFailover.Retry round = failover.failed(second, "cannot reach relay " + second.relay().hostPort() + ": refused", false);
        assertThat(round.delay()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(round.reason()).startsWith("all 2 relays failed: " + first.label() + ": session closed")
                .endsWith("; cannot reach relay " + second.relay().hostPort() + ": refused");
    }

    @Test
    void theBackoffGrowsRoundAfterRoundAndASessionThatServedStartsItOver() {
        for (int round = 0; round < 4; round++) {
            assertThat(failover.failed(failover.current(), "refused", false).delay()).isZero();
            long step = 100L << round;
            assertThat(failover.failed(failover.current(), "refused", false).delay().toMillis()).isBetween(step / 2, step);
        }
        failover.connected();
        elapse(RelayFailover.STABLE_SESSION);
        assertThat(failover.failed(failover.current(), "session closed", true).delay()).isZero();
        assertThat(failover.failed(failover.current(), "refused", false).delay().toMillis()).isBetween(50L, 100L);
    }

    @Test
    void relaysThatDropTheSessionAtOnceGetTheBackoffNotATightLoop() {
        failover.connected();
        elapse(Duration.ofMillis(20));
        assertThat(failover.failed(failover.current(), "session closed: too many sessions", true).delay()).isZero();
        failover.connected();
        elapse(Duration.ofMillis(20));
        assertThat(failover.failed(failover.current(), "session closed: too many sessions", true).delay())
                .as("both relays dropped it before it served: a round").isPositive();
    }

    private void elapse(Duration d) {
        now.addAndGet(d.toNanos());
    }
}
