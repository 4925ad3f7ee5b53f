package dev.homeport.protocol.mux;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Answers to a peer that does not read", the answer rate: the part's own arithmetic. */
class AnswerRateTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final AnswerRate rate = new AnswerRate(1000);
    private final long start = 7_000 * MS;

    @Test
    void oneSecondsWorthIsTakenAtOnceAndTheNextOneIsRefused() {
        for (int i = 0; i < 1000; i++) {
            assertThat(rate.ask(start)).as("ask %d", i).isTrue();
        }
        assertThat(rate.ask(start)).isFalse();
    }

    @Test
    void theAllowanceComesBackAtTheRate() {
        for (int i = 0; i < 1000; i++) {
            rate.ask(start);
        }
        long later = start + 250 * MS;
        for (int i = 0; i < 250; i++) {
            assertThat(rate.ask(later)).as("ask %d a quarter second later", i).isTrue();
        }
        assertThat(rate.ask(later)).isFalse();
    }

    @Test
    void askingAtTheRateGoesOnForever() {
        for (int i = 0; i < 100_000; i++) {
            assertThat(rate.ask(start + i * MS)).as("ask %d", i).isTrue();
        }
    }

    @Test
    void justAboveTheRateIsRefusedOnceTheSecondsWorthIsUsedUp() {
        int granted = 0;
        long t = start;
        while (rate.ask(t)) {
            granted++;
            t += 900_000; // 1111 a second
        }
        // 1000 at once plus what 1111 a second earns back meanwhile: about 1000 / (1 - 1000/1111) ≈ 10,000
        assertThat(granted).isBetween(9_900, 10_100);
    }

    @Test
    void idleTimeDoesNotSaveUpMoreThanASecondsWorth() {
        rate.ask(start);
        long muchLater = start + TimeUnit.HOURS.toNanos(1);
        int granted = 0;
        while (rate.ask(muchLater)) {
            granted++;
        }
        assertThat(granted).isEqualTo(1000);
    }

    @Test
    void aClockCrossingLongMaxValueWorks() {
        AnswerRate r = new AnswerRate(1000);
        long nearWrap = Long.MAX_VALUE - 50 * MS;
        for (int i = 0; i < 1000; i++) {
            assertThat(r.ask(nearWrap)).isTrue();
        }
        assertThat(r.ask(nearWrap)).isFalse();
        long past = nearWrap + 100 * MS; // wrapped to a negative value
        for (int i = 0; i < 100; i++) {
            assertThat(r.ask(past)).as("ask %d, 100 ms later", i).isTrue();
        }
        assertThat(r.ask(past)).isFalse();
    }
}
