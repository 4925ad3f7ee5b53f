package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.message.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * PINGs every {@code pingInterval}, answers the peer's, and ends a session that received nothing
 * for {@code keepAliveTimeout} (PROTOCOL.md, "Keep-alive"); the answers feed the {@link RoundTripTimes}.
 * On the session's loop only.
 */
final class KeepAlive {
    private static final Logger log = LoggerFactory.getLogger(KeepAlive.class);
    /** Probe PINGs go out at most this often: on loopback, 500 a second of 20 bytes each. */
    static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Answers taken back to back at the start, so the minimum RTT is the path's, not the handshake's. */
    static final int START_SAMPLES = 4;

    private final String sessionId;
    private final long intervalNanos;
    private final long timeoutNanos;
    /** Probes only when windows are steered by the queue delay (a target is set). */
    private final boolean probing;
    private final RoundTripTimes rtt;
    private final SessionWriter writer;
    private final SessionShutdown shutdown;
    private final AnswerBacklog backlog;
    private SessionConnection connection;
    private SessionConnection.Timer timer;
    private long lastReadNanos;

    /** @param backlog says whether reads are paused: then the silence is the peer not reading, not a dead link */
    KeepAlive(String sessionId, ProtocolSettings local, RoundTripTimes rtt, SessionWriter writer, SessionShutdown shutdown,
              AnswerBacklog backlog) {
        this.sessionId = sessionId;
        this.intervalNanos = local.pingInterval().toNanos();
        this.timeoutNanos = local.keepAliveTimeout().toNanos();
        this.probing = !local.targetQueueDelay().isZero();
        this.rtt = rtt;
        this.writer = writer;
        this.shutdown = shutdown;
        this.backlog = backlog;
    }

    /** The first PING goes out as soon as the loop runs its tasks, after the session grant. */
    void start(SessionConnection connection) {
        this.connection = connection;
        lastReadNanos = connection.nanoTime();
        timer = connection.scheduleAtFixedRate(this::tick, intervalNanos);
    }

    void stop() {
        timer.cancel();
    }

    /** Any frame from the peer shows it is alive. */
    void frameRead() {
        lastReadNanos = connection.nanoTime();
    }

    /**
     * DATA arrived: while data flows in, a PING goes out once per round trip (at most every
     * {@link #PROBE_INTERVAL_NANOS}), so that the windows see the queue delay (PROTOCOL.md, "Queue delay").
     */
    void dataReceived() {
        if (!probing || connection == null || shutdown.drainedSent() || shutdown.closing()) {
            return;
        }
        long now = connection.nanoTime();
        if (rtt.probeDue(now, PROBE_INTERVAL_NANOS)) {
            sendPing(now);
        }
    }

    void onPing(Frame frame) {
        long opaque = Frames.pingOpaque(frame);
        if (frame.hasFlag(Frame.FLAG_ACK)) {
            rtt.ackReceived(opaque, connection.nanoTime());
            if (probing && rtt.samples() < START_SAMPLES && !shutdown.drainedSent() && !shutdown.closing()) {
                sendPing(connection.nanoTime()); // the first few back to back: the handshake's RTT includes its crypto
            }
        } else {
            writer.writeControl(Frames.ping(connection.alloc(), opaque, true));
        }
    }

    private void tick() {
        if (shutdown.drainedSent() || shutdown.closing()) {
            return; // nothing more is sent; the drain and the close have their own deadlines
        }
        long silentNanos = connection.nanoTime() - lastReadNanos;
        if (silentNanos > timeoutNanos) {
            long silentMs = TimeUnit.NANOSECONDS.toMillis(silentNanos);
            // Reads paused on an unwritable connection: the silence is ours, and the peer's fault is not reading.
            boolean peerNotReading = backlog.readsPaused() && !connection.isWritable();
            log.info("event=keepalive_timeout session={} silent_ms={} peer_not_reading={}", sessionId, silentMs, peerNotReading);
            shutdown.close(ErrorCode.KEEPALIVE_TIMEOUT, peerNotReading
                    ? "the peer read nothing for " + silentMs + " ms, so nothing was read from it (keepAliveTimeout)"
                    : "nothing received for " + silentMs + " ms (keepAliveTimeout)");
            return;
        }
        sendPing(connection.nanoTime());
    }

    private void sendPing(long now) {
        writer.writeControl(Frames.ping(connection.alloc(), rtt.pingSent(now), false));
    }

}
