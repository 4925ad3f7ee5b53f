package dev.homeport.protocol;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Limits": the defaults and allowed ranges of every ProtocolSettings field. */
class LimitsTest {
    private static final ProtocolSettings DEFAULTS = ProtocolSettings.defaults();
    private static final int MIB = 1024 * 1024;

    @Test
    void defaultsAreTheOnesInTheSpec() {
        assertThat(DEFAULTS.maxFramePayload()).isEqualTo(64 * 1024);
        assertThat(DEFAULTS.initialStreamWindow()).isEqualTo(512 * 1024);
        assertThat(DEFAULTS.maxStreamWindow()).isEqualTo(16 * 1024 * 1024);
        assertThat(DEFAULTS.sessionWindow()).isEqualTo(64L * 1024 * 1024);
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
        assertThat(DEFAULTS.withWindows(1024, 1024, MIB).maxStreamWindow()).isEqualTo(1024);
        assertThat(DEFAULTS.withWindows(1024, Integer.MAX_VALUE, MIB).maxStreamWindow())
                .isEqualTo(ProtocolSettings.MAX_WINDOW);
        assertThatThrownBy(() -> DEFAULTS.withWindows(1023, 4096, MIB))
                .hasMessage("initialStreamWindow must be at least 1024 bytes, got 1023");
        assertThatThrownBy(() -> DEFAULTS.withWindows(4096, 2048, MIB))
                .hasMessage("maxStreamWindow must be at least initialStreamWindow (4096), got 2048");
    }

    @Test
    void sessionWindowIsBetweenTheInitial1MiBAnd2To31Minus1() {
        assertThat(ProtocolSettings.INITIAL_SESSION_WINDOW).isEqualTo(MIB);
        assertThat(DEFAULTS.withWindows(4096, 4096, MIB).sessionWindow()).isEqualTo(MIB);
        assertThat(DEFAULTS.withWindows(4096, 4096, Integer.MAX_VALUE).sessionWindow()).isEqualTo(ProtocolSettings.MAX_WINDOW);
        assertThatThrownBy(() -> DEFAULTS.withWindows(4096, 4096, MIB - 1))
                .hasMessage("sessionWindow must be between 1048576 and 2147483647 bytes, got 1048575");
        assertThatThrownBy(() -> DEFAULTS.withWindows(4096, 4096, 1L << 31))
                .hasMessage("sessionWindow must be between 1048576 and 2147483647 bytes, got 2147483648");
        assertThatThrownBy(() -> DEFAULTS.withWindows(4096, 4096, 0))
                .hasMessage("sessionWindow must be between 1048576 and 2147483647 bytes, got 0");
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
