package dev.homeport.protocol.frame;

/** Every frame type of protocol version 1; the codes are the wire values (PROTOCOL.md, "Frame types"). */
public enum FrameType {
    HELLO(0x01, false),
    CHALLENGE(0x02, false),
    AUTH(0x03, false),
    WELCOME(0x04, false),
    BIND(0x05, false),
    BIND_OK(0x06, false),
    BIND_REFUSED(0x07, false),
    OPEN(0x08, true),
    OPEN_REFUSED(0x09, true),
    DATA(0x0A, true),
    WINDOW_UPDATE(0x0B, true),
    FIN(0x0C, true),
    RESET(0x0D, true),
    PING(0x0E, false),
    GO_AWAY(0x0F, false);

    private static final FrameType[] BY_CODE = new FrameType[0x10];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final boolean onStream;

    FrameType(int code, boolean onStream) {
        this.code = code;
        this.onStream = onStream;
    }

    public int code() {
        return code;
    }

    /** Stream frames carry a non-zero stream id (WINDOW_UPDATE may also carry 0, for session credit); session frames carry 0. */
    public boolean onStream() {
        return onStream;
    }

    /** @return the type, or {@code null} for a code this version does not know */
    public static FrameType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
