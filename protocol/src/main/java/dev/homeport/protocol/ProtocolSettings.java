package dev.homeport.protocol;

import java.time.Duration;

/**
 * Every limit of one side of a session, built once and validated at construction.
 * PROTOCOL.md ("Limits") documents each value and its default; {@link #defaults()} is the one place
 * those defaults live.
 *
 * @param maxFramePayload      largest frame payload this side accepts; the sender uses the peer's value
 * @param initialStreamWindow  receive credit granted to every new stream before any auto-tuning
 * @param maxStreamWindow      ceiling for a stream's auto-tuned receive window
 * @param sessionWindow        receive credit of the whole session: the most bytes, over all streams, in flight
 *                             to this side and not yet delivered; bounds a session's buffer memory
 * @param maxConcurrentStreams streams this side accepts at once; one more is reset with STREAM_LIMIT
 * @param handshakeTimeout     a handshake not finished within this closes the connection
 * @param pingInterval         how often a PING is sent (for liveness and the RTT that window tuning uses)
 * @param keepAliveTimeout     a session that received nothing (frames or pongs) for this long is dead
 */
public record ProtocolSettings(
        int maxFramePayload,
        int initialStreamWindow,
        int maxStreamWindow,
        long sessionWindow,
        int maxConcurrentStreams,
        Duration handshakeTimeout,
        Duration pingInterval,
        Duration keepAliveTimeout) {

    public static final int MIN_FRAME_PAYLOAD = 1024;
    public static final int MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;
    /** Flow-control windows are signed 31-bit, as in HTTP/2, so that credit arithmetic never overflows an int. */
    public static final int MAX_WINDOW = Integer.MAX_VALUE;
    /** Session credit each side starts with; a larger {@code sessionWindow} is granted right after the handshake. */
    public static final int INITIAL_SESSION_WINDOW = 1024 * 1024;

    public ProtocolSettings {
        require(maxFramePayload >= MIN_FRAME_PAYLOAD && maxFramePayload <= MAX_FRAME_PAYLOAD,
                "maxFramePayload", "between " + MIN_FRAME_PAYLOAD + " and " + MAX_FRAME_PAYLOAD + " bytes", maxFramePayload);
        require(initialStreamWindow >= 1024, "initialStreamWindow", "at least 1024 bytes", initialStreamWindow);
        require(maxStreamWindow >= initialStreamWindow, "maxStreamWindow",
                "at least initialStreamWindow (" + initialStreamWindow + ")", maxStreamWindow);
        require(sessionWindow >= INITIAL_SESSION_WINDOW && sessionWindow <= MAX_WINDOW, "sessionWindow",
                "between " + INITIAL_SESSION_WINDOW + " and " + MAX_WINDOW + " bytes", sessionWindow);
        require(maxConcurrentStreams >= 1, "maxConcurrentStreams", "at least 1", maxConcurrentStreams);
        requirePositive(handshakeTimeout, "handshakeTimeout");
        requirePositive(pingInterval, "pingInterval");
        requirePositive(keepAliveTimeout, "keepAliveTimeout");
        require(keepAliveTimeout.compareTo(pingInterval) > 0, "keepAliveTimeout",
                "longer than pingInterval (" + pingInterval + ")", keepAliveTimeout);
    }

    public static ProtocolSettings defaults() {
        return new ProtocolSettings(
                64 * 1024,
                512 * 1024,
                16 * 1024 * 1024,
                64L * 1024 * 1024,
                16_384,
                Duration.ofSeconds(10),
                Duration.ofSeconds(10),
                Duration.ofSeconds(30));
    }

    public ProtocolSettings withMaxFramePayload(int v) {
        return new ProtocolSettings(v, initialStreamWindow, maxStreamWindow, sessionWindow,
                maxConcurrentStreams, handshakeTimeout, pingInterval, keepAliveTimeout);
    }

    public ProtocolSettings withWindows(int initial, int max, long session) {
        return new ProtocolSettings(maxFramePayload, initial, max, session,
                maxConcurrentStreams, handshakeTimeout, pingInterval, keepAliveTimeout);
    }

    public ProtocolSettings withMaxConcurrentStreams(int v) {
        return new ProtocolSettings(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow,
                v, handshakeTimeout, pingInterval, keepAliveTimeout);
    }

    public ProtocolSettings withHandshakeTimeout(Duration v) {
        return new ProtocolSettings(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow,
                maxConcurrentStreams, v, pingInterval, keepAliveTimeout);
    }

    public ProtocolSettings withKeepAlive(Duration interval, Duration timeout) {
        return new ProtocolSettings(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow,
                maxConcurrentStreams, handshakeTimeout, interval, timeout);
    }

    private static void require(boolean ok, String name, String expected, Object actual) {
        if (!ok) {
            throw new IllegalArgumentException(name + " must be " + expected + ", got " + actual);
        }
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }
}
