package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.message.GoAway;
import io.netty.handler.codec.DecoderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;

/**
 * How one session ends (PROTOCOL.md, "GO_AWAY"): a graceful GO_AWAY either way drains the streams
 * and ends in the DRAINED handshake; any other GO_AWAY, or an error ({@link #failed}), closes at once. Every wait for
 * the peer has the keep-alive timeout as its limit. On the session's loop, except {@link #closeReason}.
 */
final class SessionShutdown {
    /** What the shutdown needs of the session's streams. */
    interface Streams {
        boolean isEmpty();

        /** Ends every open stream without frames, its handler told why. */
        void closeAll(ErrorCode code, String reason);
    }

    private static final Logger log = LoggerFactory.getLogger(SessionShutdown.class);

    private final String sessionId;
    private final long timeoutNanos;
    private final SessionWriter writer;
    private SessionConnection connection;
    private Streams streams;
    private boolean goAwaySent;
    private boolean goAwayReceived;
    /** Graceful GO_AWAY sent or received: once no stream is left, this side sends DRAINED. */
    private boolean draining;
    private boolean drainedSent;
    private boolean drainedReceived;
    private boolean closing;
    private SessionConnection.Written drainedWrite;
    private SessionConnection.Timer drainDeadline;
    private SessionConnection.Timer closeDeadline;
    private volatile String closeReason;

    /** @param keepAliveTimeout how long a peer may take to drain, or to take the closing GO_AWAY */
    SessionShutdown(String sessionId, Duration keepAliveTimeout, SessionWriter writer) {
        this.sessionId = sessionId;
        this.timeoutNanos = keepAliveTimeout.toNanos();
        this.writer = writer;
    }

    void bind(SessionConnection connection, Streams streams) {
        this.connection = connection;
        this.streams = streams;
    }

    /** Whether the session is ending: nothing it reads changes anything any more. */
    boolean closing() {
        return closing;
    }

    boolean goAwaySent() {
        return goAwaySent;
    }

    /** Whether DRAINED went out: this side's last frame. */
    boolean drainedSent() {
        return drainedSent;
    }

    /** Whether a stream this side opens now fails: GO_AWAY either way, or the session is ending. */
    boolean refusesOpens() {
        return closing || goAwaySent || goAwayReceived || !connection.isActive();
    }

    /** Why the session ended, once it has; readable from any thread. */
    String closeReason() {
        String reason = closeReason;
        return reason != null ? reason : "connection closed";
    }

    /** This side opens no more streams; open ones go on, then the drain. */
    void goAway(ErrorCode code, String message) {
        if (goAwaySent || closing || !connection.isActive()) {
            return;
        }
        goAwaySent = true;
        draining = true;
        if (streams.isEmpty()) {
            sendDrained(new GoAway(code, message));
        } else {
            writer.writeControl(new GoAway(code, message).toFrame(connection.alloc()));
        }
    }

    void onGoAway(Frame frame) {
        GoAway goAway = GoAway.decode(frame.payload());
        boolean first = !goAwayReceived;
        goAwayReceived = true;
        boolean graceful = goAway.code() == ErrorCode.NO_ERROR || goAway.code() == ErrorCode.SHUTDOWN;
        if (!graceful) {
            closeReason = goAway.message();
        }
        log.debug("event=go_away_received session={} code={} drained={} reason=\"{}\"", sessionId, goAway.code(),
                frame.hasFlag(Frame.FLAG_DRAINED), goAway.message());
        if (first) {
            connection.fireUserEvent(new GoAwayReceived(goAway.code(), goAway.message()));
        }
        if (!graceful) {
            return; // the sender closes the connection right after it
        }
        if (frame.hasFlag(Frame.FLAG_DRAINED)) {
            drainedReceived = true;
            // The peer has no stream left; one still open here is an OPEN that crossed the peer's
            // GO_AWAY, which the peer can no longer answer: it ends as if reset with SHUTDOWN.
            streams.closeAll(ErrorCode.SHUTDOWN, "the peer went away");
        }
        draining = true;
        if (drainedSent && drainedReceived) {
            closeGracefully("drained");
        } else if (streams.isEmpty()) {
            sendDrained(new GoAway(ErrorCode.NO_ERROR, "drained"));
        }
    }

    /** The last stream closed: while draining, that is this side's turn to say DRAINED. */
    void lastStreamClosed() {
        if (draining) {
            sendDrained(new GoAway(ErrorCode.NO_ERROR, "drained"));
        }
    }

    /** Closes at once with GO_AWAY carrying the reason; a peer that does not take it is not waited for. */
    void close(ErrorCode code, String message) {
        if (closing) {
            return;
        }
        closing = true;
        closeReason = message;
        if (connection.isActive()) {
            connection.writeAndFlush(new GoAway(code, message).toFrame(connection.alloc())).thenClose();
            // Frames read from here on are thrown away; reading and decoding them is work a flooding
            // peer could make this loop do for its other sessions' time until the close.
            connection.stopReading();
            // GO_AWAY waits behind what is queued; a peer that does not read it is not waited for beyond keepAliveTimeout.
            closeDeadline = connection.schedule(() -> {
                log.info("event=go_away_not_taken session={} code={}", sessionId, code);
                connection.close();
            }, timeoutNanos);
        } else {
            connection.close();
        }
    }

    /**
     * An error under the session: one the peer's frames caused closes with its code, a failed connection
     * closes without a GO_AWAY, anything else is this side's fault (INTERNAL_ERROR).
     */
    void failed(Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException pe) {
            log.warn("event=protocol_error session={} code={} reason=\"{}\"", sessionId, pe.code(), pe.getMessage());
            close(pe.code(), pe.getMessage());
        } else if (c instanceof IOException) {
            log.debug("event=io_error session={} reason=\"{}\"", sessionId, c.toString());
            closeReason = c.getMessage();
            connection.close();
        } else {
            log.warn("event=internal_error session={}", sessionId, c);
            close(ErrorCode.INTERNAL_ERROR, "internal error");
            if (c instanceof OutOfMemoryError && Thread.getDefaultUncaughtExceptionHandler() != null) {
                // Not this session's problem alone: the process decides (the relay exits to be restarted).
                Thread.getDefaultUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), c);
            }
        }
    }

    /** The connection closed: the deadlines are moot. @return why the session ended */
    String connectionClosed() {
        closing = true;
        if (closeReason == null) {
            closeReason = "connection closed";
        }
        if (closeDeadline != null) {
            closeDeadline.cancel();
        }
        if (drainDeadline != null) {
            drainDeadline.cancel();
        }
        return closeReason;
    }

    /**
     * The last frame this side sends: no stream is left. The connection closes once both sides have
     * said so, so neither closes while the other still has frames on the way, which a reset
     * connection would throw away. A peer that never answers gets {@code keepAliveTimeout}.
     */
    private void sendDrained(GoAway goAway) {
        if (drainedSent || closing || !connection.isActive()) {
            return;
        }
        drainedWrite = connection.writeAndFlush(goAway.toDrainedFrame(connection.alloc()));
        drainedSent = true;
        goAwaySent = true;
        if (drainedReceived) {
            closeGracefully("drained");
        } else {
            drainDeadline = connection.schedule(() -> closeGracefully("the peer did not drain within keepAliveTimeout"),
                    timeoutNanos);
        }
    }

    /** Closes once DRAINED, and so everything before it, is written: both sides are done. */
    private void closeGracefully(String reason) {
        if (closing) {
            return;
        }
        closing = true;
        log.debug("event=session_drained session={} reason=\"{}\"", sessionId, reason);
        drainedWrite.thenClose();
    }
}
