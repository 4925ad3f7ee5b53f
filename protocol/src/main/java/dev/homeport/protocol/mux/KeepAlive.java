package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.message.Frames;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
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

    private final String sessionId;
    private final long intervalNanos;
    private final long timeoutNanos;
    private final RoundTripTimes rtt;
    private final SessionWriter writer;
    private final SessionShutdown shutdown;
    private final AnswerBacklog backlog;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private long lastReadNanos;

    /** @param backlog says whether reads are paused: then the silence is the peer not reading, not a dead link */
    KeepAlive(String sessionId, ProtocolSettings local, RoundTripTimes rtt, SessionWriter writer, SessionShutdown shutdown,
              AnswerBacklog backlog) {
        this.sessionId = sessionId;
        this.intervalNanos = local.pingInterval().toNanos();
        this.timeoutNanos = local.keepAliveTimeout().toNanos();
        this.rtt = rtt;
        this.writer = writer;
        this.shutdown = shutdown;
        this.backlog = backlog;
    }

    /** The first PING goes out as soon as the loop runs its tasks, after the session grant. */
    void start(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        lastReadNanos = nanoTime();
        timer = ctx.executor().scheduleAtFixedRate(this::tick, 0, intervalNanos, TimeUnit.NANOSECONDS);
    }

    void stop() {
        timer.cancel(false);
    }

    /** Any frame from the peer shows it is alive. */
    void frameRead() {
        lastReadNanos = nanoTime();
    }

    void onPing(Frame frame) {
        long opaque = Frames.pingOpaque(frame);
        if (frame.hasFlag(Frame.FLAG_ACK)) {
            rtt.ackReceived(opaque, nanoTime());
        } else {
            writer.writeControl(Frames.ping(ctx.alloc(), opaque, true));
        }
    }

    private void tick() {
        if (shutdown.drainedSent() || shutdown.closing()) {
            return; // nothing more is sent; the drain and the close have their own deadlines
        }
        long silentNanos = nanoTime() - lastReadNanos;
        if (silentNanos > timeoutNanos) {
            long silentMs = TimeUnit.NANOSECONDS.toMillis(silentNanos);
            // Reads paused on an unwritable connection: the silence is ours, and the peer's fault is not reading.
            boolean peerNotReading = backlog.readsPaused() && !ctx.channel().isWritable();
            log.info("event=keepalive_timeout session={} silent_ms={} peer_not_reading={}", sessionId, silentMs, peerNotReading);
            shutdown.close(ErrorCode.KEEPALIVE_TIMEOUT, peerNotReading
                    ? "the peer read nothing for " + silentMs + " ms, so nothing was read from it (keepAliveTimeout)"
                    : "nothing received for " + silentMs + " ms (keepAliveTimeout)");
            return;
        }
        writer.writeControl(Frames.ping(ctx.alloc(), rtt.pingSent(nanoTime()), false));
    }

    /** The loop's clock, which is the system clock in production and a controllable one under test. */
    private long nanoTime() {
        return ctx.channel().eventLoop().ticker().nanoTime();
    }
}
