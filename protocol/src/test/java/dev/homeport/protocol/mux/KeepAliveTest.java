package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.message.Frames;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.homeport.protocol.mux.RecordingConnection.ALLOC;
import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Keep-alive": PING every interval, answers, RTT samples and the silence timeout, on a recorder. */
class KeepAliveTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final long MS = Duration.ofMillis(1).toNanos();

    private final RecordingConnection connection = new RecordingConnection();
    private final AnswerBacklog backlog = new AnswerBacklog(1 << 20, 16, true);
    private final SessionWriter writer = new SessionWriter("test-session", backlog);
    private final SessionShutdown shutdown = new SessionShutdown("test-session", Duration.ofSeconds(3), writer);
    private final RoundTripTimes rtt = new RoundTripTimes(0);
    private final KeepAlive keepAlive = new KeepAlive("test-session",
            ProtocolSettings.defaults().withKeepAlive(SECOND, Duration.ofSeconds(3)).withTargetQueueDelay(Duration.ZERO), rtt, writer, shutdown, backlog);
    private final long start = connection.nanoTime();

    KeepAliveTest() {
        StreamSender sender = new StreamSender(100, new RoundRobinScheduler(100), writer::scheduleFlush, s -> { });
        shutdown.bind(connection, RecordingConnection.noStreams());
        writer.bind(connection, shutdown, sender);
        sender.bind(writer);
        keepAlive.start(connection);
    }

    /** As the session hands the peer's PING over: it counts as life, and the session releases it after. */
    private void receivePing(long opaque, boolean ack) {
        Frame ping = Frames.ping(ALLOC, opaque, ack);
        keepAlive.frameRead();
        keepAlive.onPing(ping);
        ping.release();
    }

    @Test
    void aPingCarryingTheClockGoesOutAtOnceAndThenEveryInterval() {
        connection.runTasks();
        assertThat(connection.frames()).containsExactly("PING " + start);

        connection.advance(999 * MS);
        assertThat(connection.frames()).isEmpty();
        connection.advance(MS);
        assertThat(connection.frames()).containsExactly("PING " + (start + SECOND.toNanos()));
    }

    @Test
    void thePeersPingIsAnsweredWithAnAckEchoingItsValue() {
        connection.runTasks();
        connection.take();

        receivePing(0x0123456789ABCDEFL, false);

        assertThat(connection.frames()).containsExactly("PING ACK " + 0x0123456789ABCDEFL);
    }

    @Test
    void theAckOfThePingGivesTheRoundTripTime() {
        connection.runTasks();
        connection.advance(40 * MS);

        receivePing(start, true);

        assertThat(rtt.smoothedNanos()).isEqualTo(40 * MS);
        assertThat(connection.frames()).as("an ACK is not answered").containsExactly("PING " + start);
    }

    @Test
    void silenceLongerThanTheTimeoutEndsTheSessionAtTheNextTick() {
        connection.advance(3999 * MS);
        assertThat(shutdown.closing()).as("3 s of silence is not more than keepAliveTimeout").isFalse();

        connection.advance(MS);

        assertThat(connection.frames()).contains("GO_AWAY KEEPALIVE_TIMEOUT nothing received for 4000 ms (keepAliveTimeout)");
        assertThat(shutdown.closeReason()).isEqualTo("nothing received for 4000 ms (keepAliveTimeout)");
    }

    @Test
    void anyFrameReadCountsAsLife() {
        connection.advance(2500 * MS);
        keepAlive.frameRead();

        connection.advance(3500 * MS); // t = 6 s: 3.5 s of silence at the tick

        assertThat(shutdown.closeReason()).isEqualTo("nothing received for 3500 ms (keepAliveTimeout)");
    }

    @Test
    void silenceWhileReadsArePausedOnAnUnwritableConnectionIsThePeerNotReading() {
        connection.writable = false;
        assertThat(backlog.updatePause(false, false)).isTrue();

        connection.advance(4 * SECOND.toNanos());

        assertThat(shutdown.closeReason())
                .isEqualTo("the peer read nothing for 4000 ms, so nothing was read from it (keepAliveTimeout)");
    }

    @Test
    void noPingAndNoTimeoutOnceDrainedIsSent() {
        connection.advance(2500 * MS);
        shutdown.goAway(ErrorCode.NO_ERROR, "bye");
        connection.take();

        connection.advance(2000 * MS); // 4.5 s of silence, and the drain's own deadline still ahead

        assertThat(connection.frames()).isEmpty();
        assertThat(shutdown.closing()).isFalse();
    }

    @Test
    void stoppedItSendsNothingMore() {
        connection.runTasks();
        connection.take();

        keepAlive.stop();
        connection.advance(10 * SECOND.toNanos());

        assertThat(connection.frames()).isEmpty();
    }
}
