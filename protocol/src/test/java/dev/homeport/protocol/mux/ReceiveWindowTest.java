package dev.homeport.protocol.mux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Flow control", auto-tuning rules 1 to 3, and the bandwidth-delay table. */
class ReceiveWindowTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;
    private static final long MS = Duration.ofMillis(1).toNanos();
    private static final long RTT = 10 * MS;
    private static final long NO_LIMIT = Long.MAX_VALUE;
    private static final long UNKNOWN = -1;
    private static final long NO_TARGET = 0;

    @Test
    void peerMayUseTheWholeInitialWindowAndNotOneByteMore() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, MIB, 0);

        assertThat(w.credit()).isEqualTo(4 * KIB);
        assertThat(w.receive(4 * KIB + 1)).isFalse();
        assertThat(w.receive(4 * KIB)).isTrue();
        assertThat(w.receive(1)).isFalse();
        assertThat(w.credit()).isZero();
    }

    @Test
    void creditReturnsOnlyOnceHalfTheWindowIsConsumed() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, MIB, 0);
        w.receive(4 * KIB);

        assertThat(w.consume(2 * KIB - 1, 0, 0, UNKNOWN, NO_TARGET, NO_LIMIT)).isZero();
        assertThat(w.consume(1, 0, 0, UNKNOWN, NO_TARGET, NO_LIMIT)).isEqualTo(2 * KIB);
        assertThat(w.credit()).isEqualTo(2 * KIB);
        assertThat(w.consume(2 * KIB, 0, 0, UNKNOWN, NO_TARGET, NO_LIMIT)).isEqualTo(2 * KIB);
        assertThat(w.credit()).isEqualTo(4 * KIB);
    }

    @Test
    void windowDoublesWhenTheUpdateComesWithinTwoRoundTrips() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, MIB, 0);
        w.receive(2 * KIB);

        int increment = w.consume(2 * KIB, 2 * RTT - 1, RTT, UNKNOWN, NO_TARGET, NO_LIMIT);

        assertThat(increment).isEqualTo(2 * KIB + 4 * KIB);
        assertThat(w.window()).isEqualTo(8 * KIB);
        assertThat(w.credit()).as("all consumed, so the credit is the whole new window").isEqualTo(8 * KIB);
        assertThat(w.grown()).isEqualTo(4 * KIB);
    }

    @Test
    void windowStaysWhenTheUpdateTakesTwoRoundTripsOrMore() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, MIB, 0);
        w.receive(2 * KIB);

        assertThat(w.consume(2 * KIB, 2 * RTT, RTT, UNKNOWN, NO_TARGET, NO_LIMIT)).isEqualTo(2 * KIB);
        assertThat(w.window()).isEqualTo(4 * KIB);
    }

    @Test
    void windowStaysWhileTheRoundTripTimeIsUnknown() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, MIB, 0);
        w.receive(2 * KIB);

        assertThat(w.consume(2 * KIB, 1, 0, UNKNOWN, NO_TARGET, NO_LIMIT)).isEqualTo(2 * KIB);
        assertThat(w.window()).isEqualTo(4 * KIB);
    }

    @Test
    void speedIsJudgedFromThePreviousUpdateNotFromTheStart() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, MIB, 0);
        w.receive(4 * KIB);
        w.consume(2 * KIB, 100 * MS, RTT, UNKNOWN, NO_TARGET, NO_LIMIT); // slow: no growth, but the clock restarts

        assertThat(w.consume(2 * KIB, 100 * MS + 5 * MS, RTT, UNKNOWN, NO_TARGET, NO_LIMIT)).isEqualTo(6 * KIB);
        assertThat(w.window()).isEqualTo(8 * KIB);
    }

    @Test
    void growthStopsAtTheStreamCap() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, 6 * KIB, 0);
        w.receive(2 * KIB);

        assertThat(w.consume(2 * KIB, 0, RTT, UNKNOWN, NO_TARGET, NO_LIMIT)).isEqualTo(2 * KIB + 2 * KIB);
        assertThat(w.window()).isEqualTo(6 * KIB);
        w.receive(3 * KIB);
        assertThat(w.consume(3 * KIB, 0, RTT, UNKNOWN, NO_TARGET, NO_LIMIT)).as("at the cap").isEqualTo(3 * KIB);
        assertThat(w.window()).isEqualTo(6 * KIB);
    }

    @Test
    void growthStopsAtTheSessionBudget() {
        ReceiveWindow limited = new ReceiveWindow(4 * KIB, MIB, 0);
        ReceiveWindow exhausted = new ReceiveWindow(4 * KIB, MIB, 0);
        limited.receive(2 * KIB);
        exhausted.receive(2 * KIB);

        assertThat(limited.consume(2 * KIB, 0, RTT, UNKNOWN, NO_TARGET, 100)).isEqualTo(2 * KIB + 100);
        assertThat(limited.grown()).isEqualTo(100);
        assertThat(exhausted.consume(2 * KIB, 0, RTT, UNKNOWN, NO_TARGET, 0)).isEqualTo(2 * KIB);
        assertThat(exhausted.grown()).isZero();
    }

    /**
     * The bandwidth-delay table of PROTOCOL.md: a stream delivered at 200 Mbit/s, starting from the
     * default 512 KiB window with the default 16 MiB cap. The window grows while half of it is
     * delivered in under two round trips, that is while it is below 4 × BDP.
     */
    @ParameterizedTest(name = "RTT {0} ms settles at {1} MiB")
    @CsvSource({"20, 2", "50, 8", "150, 16"})
    void windowSettlesBetweenFourAndEightBandwidthDelayProducts(int rttMillis, int expectedMiB) {
        double bytesPerSecond = 200e6 / 8;
        long rtt = rttMillis * MS;
        double bdp = bytesPerSecond * rttMillis / 1000.0;
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        int chunk = 16 * KIB;
        long nanosPerChunk = (long) (chunk / bytesPerSecond * 1e9);

        long now = 0;
        for (int i = 0; i < 20_000; i++) { // 320 MiB, several seconds at line rate
            now += nanosPerChunk;
            w.receive(chunk);
            w.consume(chunk, now, rtt, UNKNOWN, NO_TARGET, NO_LIMIT);
        }

        assertThat(w.window()).isEqualTo(expectedMiB * MIB);
        assertThat((double) w.window()).isGreaterThanOrEqualTo(Math.min(4 * bdp, 16 * MIB))
                .isLessThan(8 * bdp);
    }

    // ---- steering toward the target queue delay (PROTOCOL.md, "Queue delay") ----

    @Test
    void aQueueOfHalfTheTargetOrMoreSetsTheWindowToTheDeliveredRateTimesThePathDelayPlusTheTarget() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        w.receive(256 * KIB);

        // 256 KiB delivered in 8 ms, a 10 ms path, a 2 ms target: 256 KiB x 12 / 8 in flight.
        int increment = w.consume(256 * KIB, 8 * MS, RTT, 1 * MS, 2 * MS, NO_LIMIT);

        assertThat(w.window()).isEqualTo(384 * KIB);
        assertThat(increment).as("the consumed bytes less the shrink").isEqualTo(128 * KIB);
        assertThat(w.credit()).as("nothing is in flight").isEqualTo(384 * KIB);
    }

    @Test
    void aWindowShrinksByAtMostHalfAnUpdateAndNeverBelowTheFloor() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        long now = 0;
        for (int i = 0; i < 10; i++) {
            int half = w.window() / 2;
            w.receive(half);
            now += 100 * MS;
            int before = w.window();
            w.consume(half, now, RTT, 50 * MS, 1 * MS, NO_LIMIT);
            assertThat(w.window()).isGreaterThanOrEqualTo(before / 2);
        }
        assertThat(w.window()).isEqualTo(ReceiveWindow.FLOOR);
        assertThat(w.grown()).isZero();
    }

    @Test
    void underHalfTheTargetAWindowLimitedStreamDoubles() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        w.receive(256 * KIB);

        w.consume(256 * KIB, RTT, RTT, 400 * 1000, 1 * MS, NO_LIMIT);

        assertThat(w.window()).isEqualTo(MIB);
    }

    @Test
    void underHalfTheTargetAStreamThatIsNotWindowLimitedDoesNotGrow() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        w.receive(256 * KIB);

        w.consume(256 * KIB, 3 * RTT, RTT, 0, 1 * MS, NO_LIMIT);

        assertThat(w.window()).isEqualTo(512 * KIB);
    }

    @Test
    void anUnknownQueueDelayLeavesTheRulesOfGrowthAlone() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        w.receive(256 * KIB);

        w.consume(256 * KIB, RTT, RTT, UNKNOWN, 1 * MS, NO_LIMIT);

        assertThat(w.window()).as("doubles, as without a target").isEqualTo(MIB);
    }

    /**
     * A stream behind one bottleneck: the link carries {@code rate} bytes per second after a
     * fixed path delay, and what is in flight beyond the bandwidth-delay product waits in the
     * bottleneck's queue. The receiver knows the queue delay as the pings see it. Steered, the
     * window settles where the queue is near the target while the link stays busy; unsteered, it
     * fills the queue with several BDPs.
     */
    @ParameterizedTest(name = "{0} Mbit/s, {1} ms path: busy and the queue near the target")
    @CsvSource({"200, 50", "50, 50", "4800, 0.1"})
    void steeredAWindowKeepsTheLinkBusyWithAShortQueue(double mbit, double pathMillis) {
        double rate = mbit * 1e6 / 8;
        long path = (long) (pathMillis * MS);
        long target = 1 * MS;
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        int chunk = 16 * KIB;
        long chunkNanos = (long) (chunk / rate * 1e9);
        long now = 0;
        double delivered = 0;
        double queueSum = 0;
        long observedNanos = 0;
        long simulated = (long) Math.max(20e9, 400 * path);
        while (now < simulated) {
            // The stream keeps its whole window in flight: the queue holds what the path does not.
            double inFlight = w.window();
            double bdp = rate * path / 1e9;
            double queueNanos = Math.max(0, inFlight - bdp) / rate * 1e9;
            // A window below the BDP leaves the link idle for part of each round trip.
            double share = Math.min(1, inFlight / bdp);
            long step = (long) (chunkNanos / share);
            now += step;
            w.receive(chunk);
            w.consume(chunk, now, path, (long) queueNanos, target, NO_LIMIT);
            if (now > simulated / 2) {
                delivered += chunk;
                queueSum += queueNanos * step;
                observedNanos += step;
            }
        }
        double throughputShare = delivered / (rate * observedNanos / 1e9);
        double meanQueueMs = queueSum / observedNanos / MS;
        assertThat(throughputShare).as("share of the link used").isGreaterThan(0.95);
        assertThat(meanQueueMs).as("mean queue (ms)").isLessThan(2.0);
    }
}
