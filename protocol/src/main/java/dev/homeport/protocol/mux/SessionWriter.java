package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the session writes toward the peer (PROTOCOL.md, "Fair sending"): control frames at once,
 * ahead of the streams' queues and counted in the {@link AnswerBacklog} until on the wire, then the
 * streams' frames, and what one loop turn wrote goes out in one flush. On the session's loop only.
 */
final class SessionWriter implements StreamSender.Output {
    private static final Logger log = LoggerFactory.getLogger(SessionWriter.class);

    private final String sessionId;
    private final AnswerBacklog backlog;
    private SessionConnection connection;
    private SessionShutdown shutdown;
    private StreamSender sender;
    private boolean flushScheduled;
    private boolean controlWritten;

    SessionWriter(String sessionId, AnswerBacklog backlog) {
        this.sessionId = sessionId;
        this.backlog = backlog;
    }

    void bind(SessionConnection connection, SessionShutdown shutdown, StreamSender sender) {
        this.connection = connection;
        this.shutdown = shutdown;
        this.sender = sender;
    }

    /** Writes a control frame ahead of the streams' data; nothing after DRAINED, this side's last word. */
    void writeControl(Frame frame) {
        if (shutdown.drainedSent()) {
            frame.release(); // PROTOCOL.md, "GO_AWAY"
            return;
        }
        connection.write(frame, countInBacklog(frame));
        controlWritten = true;
        scheduleFlush();
    }

    /**
     * Adds {@code frame} to the control backlog until it is on the wire; a backlog past
     * {@code maxControlBacklog} means the peer asks for answers it does not read, and ends the session.
     *
     * @return what takes the frame off the backlog: to run once it is on the wire
     */
    Runnable countInBacklog(Frame frame) {
        int bytes = Frame.HEADER_LENGTH + frame.payload().readableBytes();
        if (backlog.written(bytes, shutdown.closing())) {
            log.warn("event=session_flooding session={} control_backlog_bytes={} max_control_backlog={}", sessionId,
                    backlog.bytes(), backlog.maxBytes());
            connection.execute(() -> shutdown.close(ErrorCode.FLOODING, "more than " + backlog.maxBytes()
                    + " bytes of answers queued that the peer does not read (maxControlBacklog)"));
        }
        return () -> backlog.onWire(bytes);
    }

    @Override
    public void write(Frame streamFrame) {
        connection.write(streamFrame, null);
    }

    @Override
    public boolean isWritable() {
        return connection.isWritable();
    }

    /** One flush per loop iteration, after every read and write that iteration produced. */
    void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            connection.execute(this::writeReady);
        }
    }

    private void writeReady() {
        flushScheduled = false;
        boolean wrote = controlWritten;
        controlWritten = false;
        if (sender.writeReady()) {
            wrote = true;
        }
        if (wrote) {
            connection.flush();
        }
    }
}
