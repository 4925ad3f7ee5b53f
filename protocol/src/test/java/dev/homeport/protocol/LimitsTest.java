package dev.homeport.protocol;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Limits": the defaults and allowed ranges of every ProtocolSettings field. */
class LimitsTest {
    private static final ProtocolSettings DEFAULTS = ProtocolSettings.defaults();

    @Test
    void defaultsAreTheOnesInTheSpec() {
        assertThat(DEFAULTS.maxFramePayload()).isEqualTo(64 * 1024);
        assertThat(DEFAULTS.initialStreamWindow()).isEqualTo(512 * 1024);
        assertThat(DEFAULTS.maxStreamWindow()).isEqualTo(16 * 1024 * 1024);
        assertThat(DEFAULTS.sessionWindowBudget()).isEqualTo(64L * 1024 * 1024);
        assertThat(DEFAULTS.maxConcurrentStreams()).isEqualTo(16_384);
        assertThat(DEFAULTS.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(DEFAULTS.pingInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(DEFAULTS.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void maxFramePayloadIsBetween1KiBAnd16MiB() {
        assertThat(DEFAULTS.withMaxFramePayload(1024).maxFramePayload()).isEqualTo(1024);
        assertThat(DEFAULTS.withMaxFramePayload(16 * 1024 * 1024).maxFramePayload()).isEqualTo(16 * 1024 * 1024);
        assertThatThrownBy(() -> DEFAULTS.withMaxFramePayload(1023))
                .hasMessage("maxFramePayload must be between 1024 and 16777216 bytes, got 1023");
        assertThatThrownBy(() -> DEFAULTS.withMaxFramePayload(16 * 1024 * 1024 + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxFramePayload must be");
    }

    @Test
    void windowsAreAtLeast1KiBAndTheCapIsAtLeastTheInitialWindow() {
        assertThat(DEFAULTS.withWindows(1024, 1024, 0).maxStreamWindow()).isEqualTo(1024);
        assertThat(DEFAULTS.withWindows(1024, Integer.MAX_VALUE, Long.MAX_VALUE).maxStreamWindow())
                .isEqualTo(ProtocolSettings.MAX_WINDOW);
        assertThatThrownBy(() -> DEFAULTS.withWindows(1023, 4096, 0))
                .hasMessage("initialStreamWindow must be at least 1024 bytes, got 1023");
        assertThatThrownBy(() -> DEFAULTS.withWindows(4096, 2048, 0))
                .hasMessage("maxStreamWindow must be at least initialStreamWindow (4096), got 2048");
        assertThatThrownBy(() -> DEFAULTS.withWindows(4096, 4096, -1))
                .hasMessage("sessionWindowBudget must be zero or more bytes, got -1");
    }

    @Test
    void atLeastOneConcurrentStream() {
        assertThat(DEFAULTS.withMaxConcurrentStreams(1).maxConcurrentStreams()).isEqualTo(1);
        assertThatThrownBy(() -> DEFAULTS.withMaxConcurrentStreams(0))
                .hasMessage("maxConcurrentStreams must be at least 1, got 0");
    }

    @Test
    void timeoutsArePositiveAndKeepAliveOutlastsThePingInterval() {
        assertThatThrownBy(() -> DEFAULTS.withHandshakeTimeout(Duration.ZERO))
                .hasMessage("handshakeTimeout must be a positive duration, got PT0S");
        assertThatThrownBy(() -> DEFAULTS.withHandshakeTimeout(null))
                .hasMessage("handshakeTimeout must be a positive duration, got null");
        assertThatThrownBy(() -> DEFAULTS.withKeepAlive(Duration.ofSeconds(-1), Duration.ofSeconds(30)))
                .hasMessage("pingInterval must be a positive duration, got PT-1S");
        assertThatThrownBy(() -> DEFAULTS.withKeepAlive(Duration.ofSeconds(10), Duration.ofSeconds(10)))
                .hasMessage("keepAliveTimeout must be longer than pingInterval (PT10S), got PT10S");
        assertThat(DEFAULTS.withKeepAlive(Duration.ofSeconds(1), Duration.ofMillis(1001)).keepAliveTimeout())
                .isEqualTo(Duration.ofMillis(1001));
    }
}
