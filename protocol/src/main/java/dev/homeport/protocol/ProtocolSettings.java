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
 * @param maxControlBacklog    bytes of control frames (PING answers, BIND replies, RESET, WINDOW_UPDATE ...)
 *                             this side may have queued toward a peer that does not read them; more is
 *                             session error FLOODING
 * @param maxUnansweredBinds   BINDs of the peer this side has not answered yet; at this many it reads no
 *                             further frame until an answer goes out
 * @param targetQueueDelay     the queueing delay this side steers its stream receive windows toward, so bulk
 *                             bytes do not sit in queues where other streams wait behind them; zero turns the
 *                             steering (and its probe PINGs) off
 * @param maxAnswerRate        frames a second asking this side for an answer (PING, BIND) it takes from the
 *                             peer, one second's worth at once; more is session error FLOODING. Bounds the
 *                             work a peer makes this side do before {@code maxControlBacklog} sees it, which
 *                             only counts what the kernel's socket buffers (megabytes) did not take
 */
public record ProtocolSettings(
        int maxFramePayload,
        int initialStreamWindow,
        int maxStreamWindow,
        long sessionWindow,
        int maxConcurrentStreams,
        Duration handshakeTimeout,
        Duration pingInterval,
        Duration keepAliveTimeout,
        int maxControlBacklog,
        int maxUnansweredBinds,
        Duration targetQueueDelay,
        int maxAnswerRate) {

    public static final int MIN_FRAME_PAYLOAD = 1024;
    public static final int MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;
    /** Flow-control windows are signed 31-bit, as in HTTP/2, so that credit arithmetic never overflows an int. */
    public static final int MAX_WINDOW = Integer.MAX_VALUE;
    /** Session credit each side starts with; a larger {@code sessionWindow} is granted right after the handshake. */
    public static final int INITIAL_SESSION_WINDOW = 1024 * 1024;
    /** A control frame is at most a header and a few strings; a backlog below this would end honest sessions. */
    public static final int MIN_CONTROL_BACKLOG = 16 * 1024;
    public static final int DEFAULT_MAX_CONTROL_BACKLOG = 256 * 1024;
    public static final int DEFAULT_MAX_UNANSWERED_BINDS = 16;
    public static final Duration DEFAULT_TARGET_QUEUE_DELAY = Duration.ofMillis(1);
    /**
     * Four times what an honest peer asks at most: a probe PING every 2 ms while data flows in (500 a
     * second), a keep-alive PING, and its BINDs, which {@code maxTunnelsPerSession} keeps to tens.
     */
    public static final int DEFAULT_MAX_ANSWER_RATE = 2_000;
    /** Below this an honest peer's probe PINGs alone would end its session. */
    public static final int MIN_ANSWER_RATE = 600;

    /** The settings without the two flood limits, which take their defaults. */
    public ProtocolSettings(int maxFramePayload, int initialStreamWindow, int maxStreamWindow, long sessionWindow,
                            int maxConcurrentStreams, Duration handshakeTimeout, Duration pingInterval,
                            Duration keepAliveTimeout) {
        this(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow, maxConcurrentStreams, handshakeTimeout,
                pingInterval, keepAliveTimeout, DEFAULT_MAX_CONTROL_BACKLOG, DEFAULT_MAX_UNANSWERED_BINDS);
    }

    /** The settings without the queue-delay target, which takes its default. */
    public ProtocolSettings(int maxFramePayload, int initialStreamWindow, int maxStreamWindow, long sessionWindow,
                            int maxConcurrentStreams, Duration handshakeTimeout, Duration pingInterval,
                            Duration keepAliveTimeout, int maxControlBacklog, int maxUnansweredBinds) {
        this(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow, maxConcurrentStreams, handshakeTimeout,
                pingInterval, keepAliveTimeout, maxControlBacklog, maxUnansweredBinds, DEFAULT_TARGET_QUEUE_DELAY);
    }

    /** The settings without the answer rate, which takes its default. */
    public ProtocolSettings(int maxFramePayload, int initialStreamWindow, int maxStreamWindow, long sessionWindow,
                            int maxConcurrentStreams, Duration handshakeTimeout, Duration pingInterval,
                            Duration keepAliveTimeout, int maxControlBacklog, int maxUnansweredBinds,
                            Duration targetQueueDelay) {
        this(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow, maxConcurrentStreams, handshakeTimeout,
                pingInterval, keepAliveTimeout, maxControlBacklog, maxUnansweredBinds, targetQueueDelay,
                DEFAULT_MAX_ANSWER_RATE);
    }

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
        require(maxControlBacklog >= MIN_CONTROL_BACKLOG, "maxControlBacklog", "at least " + MIN_CONTROL_BACKLOG + " bytes",
                maxControlBacklog);
        require(maxUnansweredBinds >= 1, "maxUnansweredBinds", "at least 1", maxUnansweredBinds);
        require(targetQueueDelay != null && !targetQueueDelay.isNegative(), "targetQueueDelay", "zero (off) or a positive duration",
                targetQueueDelay);
        require(maxAnswerRate >= MIN_ANSWER_RATE, "maxAnswerRate", "at least " + MIN_ANSWER_RATE + " a second", maxAnswerRate);
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
                maxConcurrentStreams, handshakeTimeout, pingInterval, keepAliveTimeout,
                maxControlBacklog, maxUnansweredBinds, targetQueueDelay, maxAnswerRate);
    }

    public ProtocolSettings withWindows(int initial, int max, long session) {
        return new ProtocolSettings(maxFramePayload, initial, max, session,
                maxConcurrentStreams, handshakeTimeout, pingInterval, keepAliveTimeout,
                maxControlBacklog, maxUnansweredBinds, targetQueueDelay, maxAnswerRate);
    }

    public ProtocolSettings withMaxConcurrentStreams(int v) {
        return new ProtocolSettings(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow,
                v, handshakeTimeout, pingInterval, keepAliveTimeout, maxControlBacklog, maxUnansweredBinds, targetQueueDelay, maxAnswerRate);
    }

    public ProtocolSettings withHandshakeTimeout(Duration v) {
        return new ProtocolSettings(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow,
                maxConcurrentStreams, v, pingInterval, keepAliveTimeout,
                maxControlBacklog, maxUnansweredBinds, targetQueueDelay, maxAnswerRate);
    }

    public ProtocolSettings withKeepAlive(Duration interval, Duration timeout) {
        return new ProtocolSettings(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow,
                maxConcurrentStreams, handshakeTimeout, interval, timeout,
                maxControlBacklog, maxUnansweredBinds, targetQueueDelay, maxAnswerRate);
    }

    /** The flood limits: control bytes queued for a peer that does not read, and BINDs it may have unanswered. */
    public ProtocolSettings withFloodLimits(int controlBacklog, int unansweredBinds) {
        return new ProtocolSettings(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow,
                maxConcurrentStreams, handshakeTimeout, pingInterval, keepAliveTimeout, controlBacklog, unansweredBinds, targetQueueDelay,
                maxAnswerRate);
    }

    /** The queueing delay stream windows are steered toward; {@link Duration#ZERO} for no steering. */
    public ProtocolSettings withTargetQueueDelay(Duration v) {
        return new ProtocolSettings(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow,
                maxConcurrentStreams, handshakeTimeout, pingInterval, keepAliveTimeout, maxControlBacklog,
                maxUnansweredBinds, v, maxAnswerRate);
    }

    /** Frames a second asking for an answer (PING, BIND) taken from the peer before its session ends with FLOODING. */
    public ProtocolSettings withMaxAnswerRate(int v) {
        return new ProtocolSettings(maxFramePayload, initialStreamWindow, maxStreamWindow, sessionWindow,
                maxConcurrentStreams, handshakeTimeout, pingInterval, keepAliveTimeout, maxControlBacklog,
                maxUnansweredBinds, targetQueueDelay, v);
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
