package dev.homeport.protocol;

/**
 * Reason codes carried by GO_AWAY, RESET, BIND_REFUSED and OPEN_REFUSED frames.
 * The numeric values are part of the wire format (PROTOCOL.md, "Error codes").
 */
public enum ErrorCode {
    NO_ERROR(0, "no error"),
    PROTOCOL_ERROR(1, "protocol error"),
    UNSUPPORTED_VERSION(2, "unsupported protocol version"),
    AUTH_FAILED(3, "authentication failed"),
    HANDSHAKE_TIMEOUT(4, "handshake timed out"),
    FRAME_TOO_LARGE(5, "frame too large"),
    FLOW_CONTROL_ERROR(6, "flow control error"),
    STREAM_LIMIT(7, "too many streams"),
    STREAM_CLOSED(8, "stream closed"),
    CANCELLED(9, "cancelled"),
    LOCAL_UNREACHABLE(10, "local service unreachable"),
    BIND_DENIED(11, "binding not allowed"),
    BIND_UNAVAILABLE(12, "no public port available"),
    SHUTDOWN(13, "peer shutting down"),
    KEEPALIVE_TIMEOUT(14, "keep-alive timed out"),
    RATE_LIMITED(15, "too many attempts"),
    INTERNAL_ERROR(16, "internal error"),
    FLOODING(17, "peer sends answered frames and does not read the answers"),
    SESSION_LIMIT(18, "too many sessions for this token"),
    BIND_HELD(19, "held by another client of this token");

    private static final ErrorCode[] BY_CODE = new ErrorCode[20];

    static {
        for (ErrorCode c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;
    private final String description;

    ErrorCode(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    /** Unknown codes from a newer peer are not an error: they read as INTERNAL_ERROR. */
    public static ErrorCode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : INTERNAL_ERROR;
    }
}
