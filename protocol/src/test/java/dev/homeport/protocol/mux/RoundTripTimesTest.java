package dev.homeport.protocol.mux;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Keep-alive": the smoothed and the minimum RTT, from PING answers alone. */
class RoundTripTimesTest {
    private static final long MS = 1_000_000;

    @Test
    void startsFromTheHandshakeAndSmoothsBySevenEighths() {
        RoundTripTimes rtt = new RoundTripTimes(80 * MS);

        long opaque = rtt.pingSent(1000 * MS);
        rtt.ackReceived(opaque, 1000 * MS + 160 * MS);

        assertThat(rtt.smoothedNanos()).isEqualTo(90 * MS);
        assertThat(rtt.minNanos()).as("a larger sample is not a new minimum").isEqualTo(80 * MS);
    }

    @Test
    void withoutAHandshakeRttTheFirstSampleIsTheEstimate() {
        RoundTripTimes rtt = new RoundTripTimes(0);

        rtt.ackReceived(rtt.pingSent(0), 30 * MS);

        assertThat(rtt.smoothedNanos()).isEqualTo(30 * MS);
        assertThat(rtt.minNanos()).isEqualTo(30 * MS);
    }

    @Test
    void onlyAnAnswerToTheLastPingIsASample() {
        RoundTripTimes rtt = new RoundTripTimes(10 * MS);
        long stale = rtt.pingSent(0);
        rtt.pingSent(1000 * MS);

        rtt.ackReceived(stale, 1001 * MS);
        rtt.ackReceived(123, 1001 * MS);

        assertThat(rtt.smoothedNanos()).isEqualTo(10 * MS);
        assertThat(rtt.minNanos()).isEqualTo(10 * MS);
    }

    @Test
    void aSmallerSampleIsTheNewMinimumAtOnce() {
        RoundTripTimes rtt = new RoundTripTimes(50 * MS);

        rtt.ackReceived(rtt.pingSent(0), 20 * MS);

        assertThat(rtt.minNanos()).isEqualTo(20 * MS);
    }

    @Test
    void theMinimumIsRenewedEveryThirtySamplesSoASlowerPathIsFollowed() {
        RoundTripTimes rtt = new RoundTripTimes(10 * MS);
        long now = 0;
        for (int i = 0; i < RoundTripTimes.MIN_RTT_SAMPLES - 1; i++) {
            now += 1000 * MS;
            rtt.ackReceived(rtt.pingSent(now), now + 40 * MS);
        }
        assertThat(rtt.minNanos()).isEqualTo(10 * MS);

        now += 1000 * MS;
        rtt.ackReceived(rtt.pingSent(now), now + 40 * MS);

        assertThat(rtt.minNanos()).isEqualTo(40 * MS);
    }
}
