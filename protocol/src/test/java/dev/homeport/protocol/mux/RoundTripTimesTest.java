package dev.homeport.protocol.mux;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Keep-alive" and "Queue delay": the smoothed and the minimum RTT and the queue delay, from PING answers alone. */
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
        assertThat(rtt.samples()).isZero();
    }

    @Test
    void aRepeatedAnswerIsOneSample() {
        RoundTripTimes rtt = new RoundTripTimes(10 * MS);
        long opaque = rtt.pingSent(0);

        rtt.ackReceived(opaque, 20 * MS);
        rtt.ackReceived(opaque, 900 * MS);

        assertThat(rtt.samples()).isEqualTo(1);
        assertThat(rtt.minNanos()).isEqualTo(10 * MS);
    }

    @Test
    void aSmallerSampleIsTheNewMinimumAtOnce() {
        RoundTripTimes rtt = new RoundTripTimes(50 * MS);

        rtt.ackReceived(rtt.pingSent(0), 20 * MS);

        assertThat(rtt.minNanos()).isEqualTo(20 * MS);
    }

    @Test
    void theMinimumAgesOutWithinItsWindowSoASlowerPathIsFollowed() {
        RoundTripTimes rtt = new RoundTripTimes(10 * MS);
        long window = RoundTripTimes.MIN_RTT_WINDOW_NANOS;
        long now = 0;
        while (now < window - 2000 * MS) {
            now += 1000 * MS;
            rtt.ackReceived(rtt.pingSent(now), now + 40 * MS);
        }
        assertThat(rtt.minNanos()).as("the handshake's 10 ms is still within the window").isEqualTo(10 * MS);

        now = window + window / 3;
        rtt.ackReceived(rtt.pingSent(now), now + 40 * MS);

        assertThat(rtt.minNanos()).isEqualTo(40 * MS);
    }

    @Test
    void theQueueDelayIsTheLeastOfTheRecentSamplesAboveTheMinimum() {
        RoundTripTimes rtt = new RoundTripTimes(0);
        long now = 0;
        now = answer(rtt, now, 1 * MS);  // the path: 1 ms
        now = answer(rtt, now, 9 * MS);
        now = answer(rtt, now, 6 * MS);
        now = answer(rtt, now, 7 * MS);  // the last three: 9, 6, 7

        assertThat(rtt.queueDelayNanos(now)).isEqualTo(5 * MS);

        now = answer(rtt, now, 30 * MS); // one late answer is not a queue
        assertThat(rtt.queueDelayNanos(now)).isEqualTo(5 * MS);
    }

    @Test
    void aQueueDelayReadingGoesStaleAfterTenMillisecondsOrFourRoundTrips() {
        RoundTripTimes rtt = new RoundTripTimes(0);
        long now = answer(rtt, 0, 1 * MS);

        assertThat(rtt.queueDelayNanos(now + 10 * MS)).isZero();
        assertThat(rtt.queueDelayNanos(now + 11 * MS)).isEqualTo(-1);
        assertThat(new RoundTripTimes(0).queueDelayNanos(0)).as("no sample yet").isEqualTo(-1);

        RoundTripTimes wan = new RoundTripTimes(0);
        now = answer(wan, 0, 50 * MS);
        assertThat(wan.queueDelayNanos(now + 200 * MS)).isZero();
        assertThat(wan.queueDelayNanos(now + 201 * MS)).isEqualTo(-1);
    }

    @Test
    void aProbeIsDueOnlyWithNoPingUnansweredAndTheIntervalPassed() {
        RoundTripTimes rtt = new RoundTripTimes(0);
        assertThat(rtt.probeDue(0, 2 * MS)).as("nothing sent yet").isTrue();

        long opaque = rtt.pingSent(10 * MS);
        assertThat(rtt.probeDue(50 * MS, 2 * MS)).as("one unanswered").isFalse();

        rtt.ackReceived(opaque, 11 * MS);
        assertThat(rtt.probeDue(11 * MS, 2 * MS)).isFalse();
        assertThat(rtt.probeDue(12 * MS, 2 * MS)).isTrue();
    }

    private static long answer(RoundTripTimes rtt, long now, long sample) {
        now += 20 * MS;
        rtt.ackReceived(rtt.pingSent(now), now + sample);
        return now + sample;
    }
}
