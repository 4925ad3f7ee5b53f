package dev.homeport.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {
    @Test
    void delaysDoubleFromAbout100msToAtMost30sWithJitterInTheUpperHalfOfEachStep() {
        Backoff b = Backoff.DEFAULT;
        for (int attempt = 0; attempt < 40; attempt++) {
            long step = Math.min(30_000, 100L << Math.min(attempt, 20));
            for (int i = 0; i < 200; i++) {
                long d = b.delay(attempt).toMillis();
                assertThat(d).as("attempt %d", attempt).isBetween(step / 2, step);
            }
        }
    }

    @Test
    void clientsCutOffTogetherDoNotReturnTogether() {
        Set<Long> delays = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            delays.add(Backoff.DEFAULT.delay(8).toMillis());
        }
        assertThat(delays).hasSizeGreaterThan(50);
    }

    @Test
    void impossibleSettingsAreRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).hasMessageContaining("0 < initial <= max");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("0 < initial <= max");
    }
}
