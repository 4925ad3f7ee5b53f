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

        assertThat(w.consume(2 * KIB - 1, 0, 0, NO_LIMIT)).isZero();
        assertThat(w.consume(1, 0, 0, NO_LIMIT)).isEqualTo(2 * KIB);
        assertThat(w.credit()).isEqualTo(2 * KIB);
        assertThat(w.consume(2 * KIB, 0, 0, NO_LIMIT)).isEqualTo(2 * KIB);
        assertThat(w.credit()).isEqualTo(4 * KIB);
    }

    @Test
    void windowDoublesWhenTheUpdateComesWithinTwoRoundTrips() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, MIB, 0);
        w.receive(2 * KIB);

        int increment = w.consume(2 * KIB, 2 * RTT - 1, RTT, NO_LIMIT);

        assertThat(increment).isEqualTo(2 * KIB + 4 * KIB);
        assertThat(w.window()).isEqualTo(8 * KIB);
        assertThat(w.credit()).as("all consumed, so the credit is the whole new window").isEqualTo(8 * KIB);
        assertThat(w.grown()).isEqualTo(4 * KIB);
    }

    @Test
    void windowStaysWhenTheUpdateTakesTwoRoundTripsOrMore() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, MIB, 0);
        w.receive(2 * KIB);

        assertThat(w.consume(2 * KIB, 2 * RTT, RTT, NO_LIMIT)).isEqualTo(2 * KIB);
        assertThat(w.window()).isEqualTo(4 * KIB);
    }

    @Test
    void windowStaysWhileTheRoundTripTimeIsUnknown() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, MIB, 0);
        w.receive(2 * KIB);

        assertThat(w.consume(2 * KIB, 1, 0, NO_LIMIT)).isEqualTo(2 * KIB);
        assertThat(w.window()).isEqualTo(4 * KIB);
    }

    @Test
    void speedIsJudgedFromThePreviousUpdateNotFromTheStart() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, MIB, 0);
        w.receive(4 * KIB);
        w.consume(2 * KIB, 100 * MS, RTT, NO_LIMIT); // slow: no growth, but the clock restarts

        assertThat(w.consume(2 * KIB, 100 * MS + 5 * MS, RTT, NO_LIMIT)).isEqualTo(6 * KIB);
        assertThat(w.window()).isEqualTo(8 * KIB);
    }

    @Test
    void growthStopsAtTheStreamCap() {
        ReceiveWindow w = new ReceiveWindow(4 * KIB, 6 * KIB, 0);
        w.receive(2 * KIB);

        assertThat(w.consume(2 * KIB, 0, RTT, NO_LIMIT)).isEqualTo(2 * KIB + 2 * KIB);
        assertThat(w.window()).isEqualTo(6 * KIB);
        w.receive(3 * KIB);
        assertThat(w.consume(3 * KIB, 0, RTT, NO_LIMIT)).as("at the cap").isEqualTo(3 * KIB);
        assertThat(w.window()).isEqualTo(6 * KIB);
    }

    @Test
    void growthStopsAtTheSessionBudget() {
        ReceiveWindow limited = new ReceiveWindow(4 * KIB, MIB, 0);
        ReceiveWindow exhausted = new ReceiveWindow(4 * KIB, MIB, 0);
        limited.receive(2 * KIB);
        exhausted.receive(2 * KIB);

        assertThat(limited.consume(2 * KIB, 0, RTT, 100)).isEqualTo(2 * KIB + 100);
        assertThat(limited.grown()).isEqualTo(100);
        assertThat(exhausted.consume(2 * KIB, 0, RTT, 0)).isEqualTo(2 * KIB);
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
            w.consume(chunk, now, rtt, NO_LIMIT);
        }

        assertThat(w.window()).isEqualTo(expectedMiB * MIB);
        assertThat((double) w.window()).isGreaterThanOrEqualTo(Math.min(4 * bdp, 16 * MIB))
                .isLessThan(8 * bdp);
    }
}
