package dev.homeport.bench;

/** An expected failure (refused connection, timeout, out of file descriptors): one line, no stack trace. */
final class BenchFailure extends RuntimeException {

    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int TIMED_OUT = 3;

    private final int exitCode;

    BenchFailure(String message) {
        this(message, FAILED);
    }

    BenchFailure(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    /** Describes an I/O failure while {@code doing} something, naming its cause without a trace. */
    static BenchFailure io(String doing, Throwable cause) {
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new BenchFailure(doing + ": " + reason);
    }
}
