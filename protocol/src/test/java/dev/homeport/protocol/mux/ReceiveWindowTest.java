package dev.homeport.protocol.mux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Flow control", auto-tuning rules 1 to 4, and the bandwidth-delay table. */
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

    /** 32/31: the window also holds what is consumed and not yet returned, half a sixteenth on average. */
    private static final double NOT_RETURNED = 1 - 1.0 / 32;

    @Test
    void steeredCreditReturnsOnceASixteenthOfTheWindowIsConsumed() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        w.receive(64 * KIB);

        assertThat(w.consume(32 * KIB - 1, MS / 2, RTT, 0, 1 * MS, NO_LIMIT)).isZero();
        int increment = w.consume(1, MS / 2, RTT, 0, 1 * MS, NO_LIMIT); // fast: the window grows

        assertThat(increment).isPositive();
        assertThat(w.credit()).as("every window byte is granted or not yet received").isEqualTo(w.window() - 32 * KIB);
    }

    @Test
    void aSteeredWindowIsTheDeliveredRateTimesThePathPlusTheTargetAndWhatIsNotYetReturned() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        w.receive(256 * KIB);

        // 256 KiB delivered in 8 ms, a 10 ms path, a 2 ms target: 256 KiB x 12 / 8, and 32/31 of that.
        int increment = w.consume(256 * KIB, 8 * MS, RTT, 1 * MS, 2 * MS, NO_LIMIT);

        int expected = (int) (256 * KIB / (8.0 * MS) * (12 * MS) / NOT_RETURNED);
        assertThat(w.window()).isEqualTo(expected);
        assertThat(increment).as("the consumed bytes less the shrink").isEqualTo(expected - 256 * KIB);
        assertThat(w.credit()).as("nothing is in flight").isEqualTo(expected);
    }

    @Test
    void theDeliveredRateIsAveragedOverAboutAWindow() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        w.receive(512 * KIB);
        w.consume(256 * KIB, 8 * MS, RTT, 0, 2 * MS, NO_LIMIT); // 32 KiB/ms
        int before = w.window();

        // A sixteenth of the window at twice the rate moves the average by a sixteenth of the way.
        int sixteenth = before / 16;
        w.consume(sixteenth, 8 * MS + (long) (sixteenth / (64.0 * KIB) * MS), RTT, 0, 2 * MS, NO_LIMIT);

        double rate = 32.0 * KIB / MS + (32.0 * KIB / MS) * sixteenth / before;
        assertThat(w.window()).isCloseTo((int) (rate * 12 * MS / NOT_RETURNED), org.assertj.core.data.Offset.offset(2));
    }

    @Test
    void aShrinkNeverTakesMoreThanTheBytesOfItsUpdateSoNoIncrementIsNegative() {
        ReceiveWindow w = new ReceiveWindow(MIB, 16 * MIB, 0);
        w.receive(MIB);
        long now = 0;
        for (int i = 0; i < 16; i++) {
            now += 10 * MS;
            int before = w.window();
            int increment = w.consume(64 * KIB, now, RTT, 500 * MS, 1 * MS, NO_LIMIT);
            assertThat(increment).isGreaterThanOrEqualTo(0);
            assertThat(w.window()).isGreaterThanOrEqualTo(before - 64 * KIB);
        }
        assertThat(w.credit()).as("what the peer may still send: every window byte is consumed or granted")
                .isEqualTo(w.window());
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
    void aWindowThatLimitsItsStreamGrowsByThePathPlusTheTargetOverThePathPerRoundTrip() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        w.receive(512 * KIB);

        // The whole window delivered in one 10 ms round trip, a 1 ms target.
        w.consume(512 * KIB, RTT, RTT, 0, 1 * MS, NO_LIMIT);

        assertThat(w.window()).isEqualTo((int) (512 * KIB * 11 / 10.0 / NOT_RETURNED));
    }

    @Test
    void onALongPathTheQueueAimedAtIsATenthOfTheRoundTrip() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        w.receive(512 * KIB);

        // A 50 ms path, a 1 ms target: the aim is 5 ms.
        w.consume(512 * KIB, 50 * MS, 50 * MS, 2 * MS, 1 * MS, NO_LIMIT);

        assertThat(w.window()).isEqualTo((int) (512 * KIB * 55 / 50.0 / NOT_RETURNED));
    }

    @Test
    void aStreamDeliveringLessThanItsWindowPerRoundTripIsGivenLess() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        w.receive(256 * KIB);

        w.consume(256 * KIB, 3 * RTT, RTT, 0, 1 * MS, NO_LIMIT);

        assertThat(w.window()).as("halved at most").isEqualTo(256 * KIB);
    }

    @Test
    void anUnknownQueueDelayLeavesTheRulesOfGrowthAlone() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, 0);
        w.receive(256 * KIB);

        w.consume(256 * KIB, RTT, RTT, UNKNOWN, 1 * MS, NO_LIMIT);

        assertThat(w.window()).as("doubles, as without a target").isEqualTo(MIB);
    }

    /**
     * A stream behind one bottleneck, credit loop and probes included: the sender sends while it has
     * credit; its bytes wait in the bottleneck's FIFO queue, which the link drains at {@code rate},
     * cross half the path, and are consumed on arrival; each WINDOW_UPDATE crosses the other half back.
     * The receiver probes as a session does (a PING when one is due, its ACK queued behind the data the
     * sender has queued by then) and steers with {@link RoundTripTimes}, as a session does. Steered,
     * the link stays busy and the queue near the aim; unsteered, the queue holds several BDPs.
     */
    @ParameterizedTest(name = "{0} Mbit/s, {1} ms path: busy and the queue near the target")
    @CsvSource({"200, 50", "50, 50", "200, 20", "4800, 0.1"})
    void steeredAWindowKeepsTheLinkBusyWithAShortQueue(double mbit, double pathMillis) {
        Bottleneck steered = Bottleneck.run(mbit, pathMillis, 1 * MS);
        Bottleneck unsteered = Bottleneck.run(mbit, pathMillis, NO_TARGET);
        if (Boolean.getBoolean("sim.print")) {
            System.out.printf("SIM %s Mbit/s %s ms: steered share %.3f queue %.2f ms; unsteered share %.3f queue %.2f ms%n",
                    mbit, pathMillis, steered.busyShare, steered.meanQueueMs, unsteered.busyShare, unsteered.meanQueueMs);
        }
        double aimMs = Math.max(1, pathMillis * ReceiveWindow.PATH_SHARE_OF_TARGET);
        assertThat(steered.busyShare).as("share of the link used, steered").isGreaterThan(0.95);
        assertThat(steered.meanQueueMs).as("mean queue (ms), steered toward %.1f ms", aimMs).isLessThan(1.5 * aimMs);
        assertThat(unsteered.busyShare).as("share of the link used, unsteered").isGreaterThan(0.95);
        assertThat(unsteered.meanQueueMs).as("mean queue (ms), unsteered").isGreaterThan(pathMillis);
    }

    /** The event simulation behind the test above; the second half of the run is observed. */
    private static final class Bottleneck {
        private static final int DATA = 0;
        private static final int CREDIT = 1;
        private static final int ACK = 2;
        private static final long PROBE_INTERVAL = 2 * MS;

        double busyShare;
        double meanQueueMs;

        static Bottleneck run(double mbit, double pathMillis, long target) {
            double bytesPerNano = mbit * 1e6 / 8 / 1e9;
            long oneWay = (long) (pathMillis * MS / 2);
            long path = 2 * oneWay;
            int chunk = 16 * KIB;
            long simulated = (long) Math.max(20e9, 400 * path);
            RoundTripTimes rtt = new RoundTripTimes(path + path / 2); // the handshake's: an upper bound
            long start = 0;
            for (int i = 0; i < 4; i++, start += path) { // a session's start PINGs, on an idle path
                rtt.ackReceived(rtt.pingSent(start), start + path);
            }
            ReceiveWindow w = new ReceiveWindow(512 * KIB, 16 * MIB, start);
            // Events: {time, kind, value}: bytes arriving at the receiver, credit arriving at the
            // sender, or a PING's ACK (value: its opaque) arriving at the receiver.
            PriorityQueue<long[]> events = new PriorityQueue<>(Comparator.comparingLong(e -> e[0]));
            long[] linkFreeAt = {start};
            long credit = send(512 * KIB, start, chunk, bytesPerNano, oneWay, linkFreeAt, events);
            double delivered = 0;
            double queueSum = 0;
            long samples = 0;
            long observedFrom = simulated / 2;
            long now = start;
            while (now < simulated && !events.isEmpty()) {
                long[] e = events.poll();
                now = e[0];
                if (e[1] == DATA) {
                    int bytes = (int) e[2];
                    assertThat(w.receive(bytes)).as("the sender kept to its credit").isTrue();
                    if (target > 0 && rtt.probeDue(now, PROBE_INTERVAL)) {
                        // The PING reaches the sender after half the path; its ACK waits behind what is queued then.
                        long atSender = now + oneWay;
                        long ackArrives = Math.max(atSender, linkFreeAt[0]) + oneWay;
                        events.add(new long[] {ackArrives, ACK, rtt.pingSent(now)});
                    }
                    long queueDelay = target > 0 ? rtt.queueDelayNanos(now) : -1;
                    int increment = w.consume(bytes, now, rtt.minNanos(), queueDelay, target, NO_LIMIT);
                    if (increment > 0) {
                        events.add(new long[] {now + oneWay, CREDIT, increment});
                    }
                    if (now >= observedFrom) {
                        delivered += bytes;
                        queueSum += Math.max(0, linkFreeAt[0] - now);
                        samples++;
                    }
                } else if (e[1] == CREDIT) {
                    credit = send(credit + e[2], now, chunk, bytesPerNano, oneWay, linkFreeAt, events);
                } else {
                    rtt.ackReceived(e[2], now);
                }
            }
            Bottleneck b = new Bottleneck();
            b.busyShare = delivered / (bytesPerNano * (now - observedFrom));
            b.meanQueueMs = queueSum / Math.max(1, samples) / MS;
            return b;
        }

        /** Sends all the credit in chunks into the bottleneck's queue; returns what is left (0). */
        private static long send(long credit, long now, int chunk, double bytesPerNano, long oneWay,
                                 long[] linkFreeAt, PriorityQueue<long[]> events) {
            while (credit > 0) {
                int bytes = (int) Math.min(chunk, credit);
                long departs = Math.max(now, linkFreeAt[0]) + (long) (bytes / bytesPerNano);
                linkFreeAt[0] = departs;
                events.add(new long[] {departs + oneWay, DATA, bytes});
                credit -= bytes;
            }
            return credit;
        }
    }
}
