package dev.homeport.server.auth;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HandshakeRateLimiterTest {
    @Test
    void anAddressIsThrottledAfterItsBurstAndGetsOneMoreTryPerRefill() throws Exception {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(3, Duration.ofMillis(200));
        InetAddress attacker = InetAddress.getByName("192.0.2.1");
        InetAddress other = InetAddress.getByName("192.0.2.2");

        for (int i = 0; i < 3; i++) {
            assertThat(limiter.allows(attacker)).isTrue();
            limiter.failed(attacker);
        }
        assertThat(limiter.allows(attacker)).isFalse();
        assertThat(limiter.allows(other)).isTrue();

        Thread.sleep(250);
        assertThat(limiter.allows(attacker)).isTrue();
        limiter.failed(attacker);
        assertThat(limiter.allows(attacker)).isFalse();
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> new HandshakeRateLimiter(0, Duration.ofSeconds(1)))
                .hasMessage("auth failure burst must be at least 1, got 0");
        assertThatThrownBy(() -> new HandshakeRateLimiter(1, Duration.ZERO))
                .hasMessage("auth failure refill must be positive, got PT0S");
    }
}
