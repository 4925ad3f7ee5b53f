package dev.homeport.protocol;

/** A peer broke the wire protocol; the session that received it is closed with {@link #code()}. */
public final class ProtocolException extends RuntimeException {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
