package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.message.Frames;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.homeport.protocol.mux.RecordingConnection.ALLOC;
import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Fair sending" and "Answers to a peer that does not read": what goes out, in which flush, on a recorder. */
class SessionWriterTest {
    private static final int FRAME = 100;
    /** Room for two PINGs (17 bytes each on the wire) and not three. */
    private static final int MAX_BACKLOG = 40;

    private final RecordingConnection connection = new RecordingConnection();
    private final AnswerBacklog backlog = new AnswerBacklog(MAX_BACKLOG, 16, false);
    private final SessionWriter writer = new SessionWriter("test-session", backlog);
    private final SessionShutdown shutdown = new SessionShutdown("test-session", Duration.ofSeconds(3), writer);
    private final StreamSender sender = new StreamSender(FRAME, new RoundRobinScheduler(FRAME), writer::scheduleFlush, s -> { });

    SessionWriterTest() {
        shutdown.bind(connection, RecordingConnection.noStreams());
        writer.bind(connection, shutdown, sender);
        sender.bind(writer);
    }

    private static MuxStream stream(int id) {
        MuxStream s = new MuxStream(null, id, 10_000, new InboundFlow(ProtocolSettings.defaults(), (streamId, increment) -> { }).newStream(0));
        s.assign(id, new RecordingHandler());
        s.apply(StreamState.Event.OPENED);
        return s;
    }

    private static Frame ping(long opaque) {
        return Frames.ping(ALLOC, opaque, false);
    }

    @Test
    void controlFramesGoOutAtOnceAndTheLoopTurnEndsInOneFlush() {
        writer.writeControl(ping(1));
        writer.writeControl(Frames.windowUpdate(ALLOC, 0, 500));
        assertThat(connection.take()).as("written, not flushed yet").containsExactly("PING 1", "WINDOW_UPDATE 0 +500");

        connection.runTasks();

        assertThat(connection.take()).containsExactly("flush");
    }

    @Test
    void streamFramesFollowTheControlFramesOfTheSameTurnInTheSameFlush() {
        sender.send(stream(1), Unpooled.buffer(150).writeZero(150));
        writer.writeControl(ping(1)); // written after the data was queued, still out ahead of it

        connection.runTasks();

        assertThat(connection.take()).containsExactly("PING 1", "DATA 1 100", "DATA 1 50", "flush");
    }

    @Test
    void aTurnThatWroteNothingDoesNotFlush() {
        connection.writable = false;
        sender.send(stream(1), Unpooled.buffer(10).writeZero(10));

        connection.runTasks();
        assertThat(connection.take()).as("the connection takes nothing: no frame, no flush").isEmpty();

        connection.writable = true;
        writer.scheduleFlush(); // as the session does when the connection turns writable
        connection.runTasks();
        assertThat(connection.take()).containsExactly("DATA 1 10", "flush");
    }

    @Test
    void aControlFrameCountsInTheBacklogUntilItIsOnTheWire() {
        writer.writeControl(ping(1));
        assertThat(backlog.bytes()).isEqualTo(Frame.HEADER_LENGTH + 8);

        connection.putOnWire();

        assertThat(backlog.bytes()).isZero();
    }

    @Test
    void answersOfLaterHandlersCountInTheSameBacklog() {
        Frame answer = Frames.ping(ALLOC, 7, true);
        Runnable onWire = writer.countInBacklog(answer);
        assertThat(backlog.bytes()).isEqualTo(Frame.HEADER_LENGTH + 8);
        answer.release();

        onWire.run();

        assertThat(backlog.bytes()).isZero();
    }

    @Test
    void aBacklogPastItsLimitEndsTheSessionWithFlooding() {
        writer.writeControl(ping(1));
        writer.writeControl(ping(2));
        connection.runTasks();
        assertThat(connection.take()).containsExactly("PING 1", "PING 2", "flush");

        writer.writeControl(ping(3)); // 51 bytes the peer has not taken
        connection.runTasks();

        String goAway = "GO_AWAY FLOODING more than 40 bytes of answers queued that the peer does not read (maxControlBacklog)";
        assertThat(connection.frames()).containsSubsequence("PING 3", goAway, "close once written: " + goAway);
        assertThat(backlog.flooding()).isTrue();
    }

    @Test
    void nothingGoesOutAfterDrainedThisSidesLastFrame() {
        shutdown.goAway(ErrorCode.NO_ERROR, "restart");
        assertThat(connection.take()).containsExactly("GO_AWAY NO_ERROR restart DRAINED", "flush");

        writer.writeControl(Frames.ping(ALLOC, 9, true)); // released, not written

        connection.runTasks();
        assertThat(connection.take()).isEmpty();
        assertThat(backlog.bytes()).isZero();
    }
}
