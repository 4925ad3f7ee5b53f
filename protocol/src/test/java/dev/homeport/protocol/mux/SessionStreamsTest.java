package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.homeport.protocol.mux.RecordingConnection.ALLOC;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PROTOCOL.md, "Streams": how streams end and what the session takes back, the frames a stream's
 * end sends, and the session going idle, with the relay's parts on a recorder instead of a channel.
 */
class SessionStreamsTest {
    private static final ProtocolSettings LOCAL = ProtocolSettings.defaults();
    private static final HandshakeCompleted PEER = new HandshakeCompleted(1, "test-session", "alice", "test-agent",
            65536, 1000, 100, 0);

    private final RecordingConnection connection = new RecordingConnection();
    private final SessionWriter writer = new SessionWriter("test-session", new AnswerBacklog(1 << 20, 16, true));
    private final SessionShutdown shutdown = new SessionShutdown("test-session", Duration.ofSeconds(3), writer);
    private final SessionStreams streams = new SessionStreams(writer, shutdown, new RoundTripTimes(0), 1, LOCAL, PEER,
            null, new RoundRobinScheduler(1000));

    SessionStreamsTest() {
        shutdown.bind(connection, streams);
        writer.bind(connection, shutdown, streams.sender());
        streams.bind(connection);
    }

    private RecordingHandler open() {
        RecordingHandler h = new RecordingHandler();
        h.stream = streams.newStream();
        h.stream.open(1, "198.51.100.7:40000", h);
        connection.runTasks();
        return h;
    }

    @Test
    void theSessionWindowsGrantIsTheFirstFrame() {
        connection.runTasks();

        assertThat(connection.frames()).containsExactly(
                "WINDOW_UPDATE 0 +" + (LOCAL.sessionWindow() - ProtocolSettings.INITIAL_SESSION_WINDOW));
    }

    @Test
    void aStreamEndedHereTellsThePeerWithResetAndNotItsOwnHandler() {
        RecordingHandler h = open();
        connection.take();

        h.stream.reset(ErrorCode.CANCELLED);
        connection.runTasks();

        assertThat(connection.frames()).containsExactly("RESET 1 CANCELLED");
        assertThat(h.events).isEmpty();
        assertThat(streams.size()).isZero();
    }

    @Test
    void aRefusedStreamEndsWithOpenRefusedCarryingTheReason() {
        RecordingHandler h = open();
        connection.take();

        streams.end(h.stream, FrameType.OPEN_REFUSED, ErrorCode.LOCAL_UNREACHABLE, "connection refused");

        assertThat(connection.frames()).containsExactly("OPEN_REFUSED 1 LOCAL_UNREACHABLE connection refused");
        assertThat(streams.get(1)).isNull();
    }

    @Test
    void aStreamResetBeforeItsOpenWentOutEndsWithoutAWord() {
        connection.runTasks();
        connection.take();
        RecordingHandler h = new RecordingHandler();
        h.stream = streams.newStream();
        h.stream.open(1, "198.51.100.7:40000", h);
        h.stream.reset(ErrorCode.CANCELLED);

        connection.runTasks();

        assertThat(connection.frames()).isEmpty();
        assertThat(streams.isEmpty()).isTrue();
    }

    @Test
    void thePeerBreakingAStreamsRulesResetsItAndTellsTheHandler() {
        RecordingHandler h = open();
        connection.take();

        streams.resetStream(h.stream, ErrorCode.STREAM_CLOSED, "DATA after FIN");

        assertThat(connection.frames()).containsExactly("RESET 1 STREAM_CLOSED");
        assertThat(h.events).containsExactly("closed STREAM_CLOSED: DATA after FIN");
    }

    @Test
    void aStreamThePeerEndedTellsItsHandlerWithoutAFrame() {
        RecordingHandler h = open();
        connection.take();

        streams.closedByPeer(h.stream, ErrorCode.CANCELLED, "reset by peer: cancelled");

        assertThat(connection.frames()).isEmpty();
        assertThat(h.events).containsExactly("closed CANCELLED: reset by peer: cancelled");
        assertThat(streams.size()).isZero();
    }

    @Test
    void aStreamFinishedBothWaysIsForgottenQuietly() {
        RecordingHandler h = open();
        h.stream.apply(StreamState.Event.FIN_SENT);
        h.stream.apply(StreamState.Event.FIN_RECEIVED);

        streams.finished(h.stream);

        assertThat(streams.get(1)).isNull();
        assertThat(h.events).containsExactly("fin");
    }

    @Test
    void whatAnEndedStreamHadNotSentIsDropped() {
        RecordingHandler h = open();
        connection.writable = false;
        h.stream.write(ALLOC.buffer(500).writeZero(500));
        connection.runTasks();
        assertThat(streams.sender().pendingBytes()).isEqualTo(500);

        h.stream.reset(ErrorCode.CANCELLED);

        assertThat(streams.sender().pendingBytes()).isZero();
    }

    @Test
    void closeAllEndsEveryStreamWithoutFramesAndTellsEachHandlerWhy() {
        RecordingHandler a = open();
        RecordingHandler b = open();
        connection.take();

        streams.closeAll(ErrorCode.CANCELLED, "session closed: gone");

        assertThat(connection.frames()).isEmpty();
        assertThat(List.of(a, b)).allMatch(h -> h.events.equals(List.of("closed CANCELLED: session closed: gone")));
        assertThat(streams.isEmpty()).isTrue();
    }

    @Test
    void whenIdleWaitsForTheLastStreamAndRunsAtOnceIfNoneIsOpen() {
        List<String> idle = new ArrayList<>();
        streams.whenIdle(() -> idle.add("at once"));
        RecordingHandler a = open();
        RecordingHandler b = open();
        streams.whenIdle(() -> idle.add("once idle"));

        a.stream.reset(ErrorCode.CANCELLED);
        assertThat(idle).containsExactly("at once");
        b.stream.reset(ErrorCode.CANCELLED);

        assertThat(idle).containsExactly("at once", "once idle");
    }

    @Test
    void theLastStreamEndingWhileDrainingIsThisSidesTurnToSayDrained() {
        RecordingHandler h = open();
        shutdown.goAway(ErrorCode.NO_ERROR, "maintenance");
        connection.runTasks();
        connection.take();

        h.stream.reset(ErrorCode.CANCELLED);

        assertThat(connection.frames()).containsExactly("RESET 1 CANCELLED", "GO_AWAY NO_ERROR drained DRAINED");
    }
}
