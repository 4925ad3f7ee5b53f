package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.message.Open;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.homeport.protocol.mux.RecordingConnection.ALLOC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Streams": the id rules and limits both ways, and which OPEN is refused how, on a recorder. */
class StreamOpenerTest {
    private final RecordingConnection connection = new RecordingConnection();
    private final SessionWriter writer = new SessionWriter("test-session", new AnswerBacklog(1 << 20, 16, false));
    private final SessionShutdown shutdown = new SessionShutdown("test-session", Duration.ofSeconds(3), writer);
    private final StreamSender sender = new StreamSender(1000, new RoundRobinScheduler(1000), writer::scheduleFlush, s -> { });
    private final InboundFlow inbound = new InboundFlow(ProtocolSettings.defaults(), (id, increment) -> { });
    private final List<String> accepted = new ArrayList<>();

    StreamOpenerTest() {
        shutdown.bind(connection, RecordingConnection.noStreams());
        writer.bind(connection, shutdown, sender);
        sender.bind(writer);
    }

    private StreamOpener opener(StreamTable table, StreamAcceptor acceptor) {
        StreamOpener opener = new StreamOpener(table, writer, shutdown, sender, acceptor, this::stream);
        opener.bind(connection);
        return opener;
    }

    private MuxStream stream(int id) {
        return new MuxStream(null, id, 65536, inbound.newStream(0));
    }

    private final StreamAcceptor recordingAcceptor = (s, open) ->
            accepted.add("stream " + s.id() + " " + s.state() + " tunnel " + open.tunnelId() + " from " + open.peerAddress());

    private RecordingHandler open(StreamOpener opener, int tunnelId) {
        RecordingHandler h = new RecordingHandler();
        h.stream = stream(0);
        opener.open(h.stream, new Open(tunnelId, "198.51.100.7:40000"), h);
        return h;
    }

    /** As the session hands the peer's OPEN over: it releases the frame after. */
    private static void receive(StreamOpener opener, int id) {
        Frame frame = new Open(7, "203.0.113.9:51234").toFrame(ALLOC, id);
        try {
            opener.onOpen(frame);
        } finally {
            frame.release();
        }
    }

    @Test
    void theRelayOpensOddIdsInOrderAndItsOpensGoOutInThatOrder() {
        StreamTable table = new StreamTable(1, 100, 100);
        StreamOpener opener = opener(table, null);

        RecordingHandler a = open(opener, 10);
        RecordingHandler b = open(opener, 11);
        RecordingHandler c = open(opener, 12);
        assertThat(connection.take()).as("queued to the loop, not written from the caller").isEmpty();
        connection.runTasks();

        assertThat(connection.frames()).containsExactly("OPEN 1 tunnel 10", "OPEN 3 tunnel 11", "OPEN 5 tunnel 12");
        assertThat(List.of(a.stream, b.stream, c.stream)).allMatch(s -> s.state() == StreamState.OPEN && table.get(s.id()) == s);
    }

    @Test
    void theClientOpensEvenIds() {
        StreamOpener opener = opener(new StreamTable(2, 100, 100), recordingAcceptor);

        open(opener, 1);
        open(opener, 1);
        connection.runTasks();

        assertThat(connection.frames()).containsExactly("OPEN 2 tunnel 1", "OPEN 4 tunnel 1");
    }

    @Test
    void anOpenBeyondThePeersLimitFailsWithoutAFrame() {
        StreamOpener opener = opener(new StreamTable(1, 1, 100), null);

        open(opener, 1);
        RecordingHandler second = open(opener, 1);
        connection.runTasks();

        assertThat(connection.frames()).containsExactly("OPEN 1 tunnel 1");
        assertThat(second.events).containsExactly("closed STREAM_LIMIT: the peer accepts at most 1 concurrent streams");
        assertThat(second.stream.state()).isEqualTo(StreamState.CLOSED);
    }

    @Test
    void anOpenOnceGoAwayWasSentFailsWithShutdown() {
        StreamOpener opener = opener(new StreamTable(1, 100, 100), null);
        shutdown.goAway(ErrorCode.NO_ERROR, "bye");
        connection.take();

        RecordingHandler h = open(opener, 1);
        connection.runTasks();

        assertThat(connection.frames()).isEmpty();
        assertThat(h.events).containsExactly("closed SHUTDOWN: session is closing");
    }

    @Test
    void aStreamResetBeforeItsOpenWentOutIsNeverOpened() {
        StreamTable table = new StreamTable(1, 100, 100);
        StreamOpener opener = opener(table, null);
        RecordingHandler h = open(opener, 1);
        h.stream.apply(StreamState.Event.RESET);

        connection.runTasks();

        assertThat(connection.frames()).isEmpty();
        assertThat(table.isEmpty()).isTrue();
    }

    @Test
    void thePeersOpenIsPassedToTheAcceptorAsAnOpenStream() {
        StreamTable table = new StreamTable(2, 100, 100);
        StreamOpener opener = opener(table, recordingAcceptor);

        receive(opener, 1);
        receive(opener, 5);

        assertThat(accepted).containsExactly("stream 1 OPEN tunnel 7 from 203.0.113.9:51234", "stream 5 OPEN tunnel 7 from 203.0.113.9:51234");
        assertThat(table.size()).isEqualTo(2);
        assertThat(connection.frames()).isEmpty();
    }

    @Test
    void anOpenWithThisSidesParityOrToASideThatAcceptsNoneIsASessionError() {
        StreamOpener client = opener(new StreamTable(2, 100, 100), recordingAcceptor);
        StreamOpener relay = opener(new StreamTable(1, 100, 100), null);

        assertThatThrownBy(() -> receive(client, 2)).isInstanceOf(ProtocolException.class)
                .hasMessage("OPEN of stream 2 is not allowed from this peer");
        assertThatThrownBy(() -> receive(relay, 2)).isInstanceOf(ProtocolException.class)
                .hasMessage("OPEN of stream 2 is not allowed from this peer");
        assertThat(accepted).isEmpty();
    }

    @Test
    void anIdNotHigherThanTheLastIsASessionError() {
        StreamOpener opener = opener(new StreamTable(2, 100, 100), recordingAcceptor);
        receive(opener, 5);

        assertThatThrownBy(() -> receive(opener, 3)).isInstanceOf(ProtocolException.class)
                .hasMessage("OPEN reuses stream id 3");
        assertThatThrownBy(() -> receive(opener, 5)).isInstanceOf(ProtocolException.class)
                .hasMessage("OPEN reuses stream id 5");
    }

    @Test
    void thePeersOpenAfterOurGoAwayIsResetWithShutdownAndItsIdStillTaken() {
        StreamOpener opener = opener(new StreamTable(2, 100, 100), recordingAcceptor);
        shutdown.goAway(ErrorCode.NO_ERROR, "bye");
        connection.take();

        receive(opener, 1);

        assertThat(accepted).isEmpty();
        assertThat(connection.frames()).as("DRAINED already went out: nothing more").isEmpty();
        assertThatThrownBy(() -> receive(opener, 1)).hasMessage("OPEN reuses stream id 1");
    }

    @Test
    void thePeersOpenAfterOurGoAwayWithStreamsStillOpenIsResetWithShutdown() {
        StreamOpener opener = opener(new StreamTable(2, 100, 100), recordingAcceptor);
        SessionShutdown.Streams oneOpen = new SessionShutdown.Streams() {
            @Override
            public boolean isEmpty() {
                return false;
            }

            @Override
            public void closeAll(ErrorCode code, String reason) {
            }
        };
        shutdown.bind(connection, oneOpen);
        shutdown.goAway(ErrorCode.NO_ERROR, "bye");
        connection.take();

        receive(opener, 1);

        assertThat(accepted).isEmpty();
        assertThat(connection.frames()).containsExactly("RESET 1 SHUTDOWN");
    }

    @Test
    void thePeersOpenBeyondOurLimitIsResetWithStreamLimitAndTheSessionGoesOn() {
        StreamTable table = new StreamTable(2, 100, 1);
        StreamOpener opener = opener(table, recordingAcceptor);

        receive(opener, 1);
        receive(opener, 3);

        assertThat(accepted).hasSize(1);
        assertThat(connection.frames()).containsExactly("RESET 3 STREAM_LIMIT");
        assertThat(table.get(3)).isNull();
    }
}
