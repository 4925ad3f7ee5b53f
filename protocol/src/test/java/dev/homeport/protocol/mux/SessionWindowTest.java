package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import dev.homeport.protocol.mux.MuxHarness.Sent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.homeport.protocol.mux.MuxHarness.QUIET;
import static dev.homeport.protocol.mux.MuxHarness.bytes;
import static dev.homeport.protocol.mux.MuxHarness.data;
import static dev.homeport.protocol.mux.MuxHarness.fin;
import static dev.homeport.protocol.mux.MuxHarness.open;
import static dev.homeport.protocol.mux.MuxHarness.peer;
import static dev.homeport.protocol.mux.MuxHarness.reset;
import static dev.homeport.protocol.mux.MuxHarness.windowUpdate;
import static dev.homeport.protocol.mux.StreamLifecycleTest.assertClosedWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * PROTOCOL.md, "Flow control", the session window: one credit over all streams of a direction, 1 MiB
 * at start plus the receiver's grant, returned in quarter-window updates; and its sender side.
 */
class SessionWindowTest {
    private static final int MIB = ProtocolSettings.INITIAL_SESSION_WINDOW;
    private static final int FRAME = 64 * 1024;
    /** Four frames of the peer's: how far a stream's source is read ahead of what was sent. */
    private static final int READ_AHEAD = 4 * FRAME;

    private final List<MuxHarness> harnesses = new ArrayList<>();

    @AfterEach
    void closeAll() {
        harnesses.forEach(MuxHarness::close);
    }

    // ---- the grant at start ----

    @Test
    void sessionGrantsItsWindowAboveTheInitial1MiBBeforeItsFirstPing() {
        MuxHarness relay = harness(MuxHarness.relay(ProtocolSettings.defaults(), peer(65536, 65536)));

        assertThat(relay.sessionGrant).extracting(Sent::type, Sent::streamId, Sent::increment)
                .containsExactly(FrameType.WINDOW_UPDATE, 0, 64 * MIB - MIB);
        assertThat(relay.sentAll()).as("the first PING comes after the grant").extracting(Sent::type)
                .containsExactly(FrameType.PING);
    }

    @Test
    void noGrantWhenTheSessionWindowIsTheInitialOneAndTheLargestGrantFitsAnIncrement() {
        MuxHarness smallest = client(QUIET.withWindows(65536, 65536, MIB));
        MuxHarness largest = client(QUIET.withWindows(65536, 65536, Integer.MAX_VALUE));

        assertThat(smallest.sessionGrant).isNull();
        assertThat(smallest.sentAll()).extracting(Sent::type).containsExactly(FrameType.PING);
        assertThat(largest.sessionGrant.increment()).isEqualTo(Integer.MAX_VALUE - MIB);
    }

    // ---- receiving: the peer must stay within the session credit ----

    @Test
    void receiverBuffersAtMostTheSessionWindowWhateverTheNumberOfStreams() {
        MuxHarness client = client(QUIET.withWindows(MIB, MIB, 2 * MIB));
        RecordingHandler first = client.acceptStream(1);
        client.acceptStream(3);
        client.acceptStream(5);

        client.receive(data(1, MIB), data(3, MIB));
        assertThat(client.channel.isActive()).as("the grant may be used before the peer could have seen it").isTrue();
        client.receive(data(5, 1)); // stream 5 has all of its own credit left

        assertClosedWith(client, ErrorCode.FLOW_CONTROL_ERROR,
                "DATA of 1 bytes beyond the 0 bytes of session credit the peer had");
        assertThat(first.events).last().asString().startsWith("closed CANCELLED: session closed: DATA of 1 bytes");
    }

    @Test
    void sessionCreditIsCheckedBeforeTheStreamsCredit() {
        MuxHarness client = client(QUIET.withWindows(MIB, MIB, MIB));
        client.acceptStream(1);

        client.receive(data(1, MIB), data(1, 1));

        assertClosedWith(client, ErrorCode.FLOW_CONTROL_ERROR,
                "DATA of 1 bytes beyond the 0 bytes of session credit the peer had");
    }

    @Test
    void bytesOfClosedStreamsCountAgainstTheSessionCredit() {
        MuxHarness client = client(QUIET.withWindows(MIB, MIB, MIB));
        client.acceptStream(1);
        client.receive(reset(1, ErrorCode.CANCELLED));

        client.receive(data(1, MIB / 8)); // dropped; the peer learns of it with the next quarter-window update
        assertThat(client.sent()).isEmpty();
        client.receive(data(1, MIB - MIB / 8 + 1));

        assertClosedWith(client, ErrorCode.FLOW_CONTROL_ERROR,
                "DATA of 917505 bytes beyond the 917504 bytes of session credit the peer had");
    }

    @Test
    void sessionWindowUpdateBeyond2To31Minus1IsFlowControlError() {
        MuxHarness relay = relay(peer(65536, 65536));

        relay.receive(windowUpdate(0, Integer.MAX_VALUE - MIB));
        assertThat(relay.channel.isActive()).as("exactly 2^31-1 is allowed").isTrue();
        relay.receive(windowUpdate(0, 1));

        assertClosedWith(relay, ErrorCode.FLOW_CONTROL_ERROR,
                "session WINDOW_UPDATE grows the session window past 2^31-1 (2147483647 + 1)");
    }

    @Test
    void sessionWindowUpdateOfZeroIsProtocolError() {
        MuxHarness relay = relay(peer(65536, 65536));

        relay.receive(windowUpdate(0, 0));

        assertClosedWith(relay, ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE increment must be 1 to 2^31-1, got 0");
    }

    // ---- receiving: credit goes back in quarter-window updates ----

    @Test
    void deliveredBytesOfAllStreamsGoBackInOneUpdateOnceAQuarterWindowIsDelivered() {
        MuxHarness client = client(QUIET.withWindows(2 * MIB, 2 * MIB, 4 * MIB)); // quarter: 1 MiB
        RecordingHandler first = client.acceptStream(1);
        RecordingHandler second = client.acceptStream(3);
        client.receive(data(1, 600_000), data(3, 500_000));

        first.stream.consumed(600_000);
        assertThat(client.sent()).as("below a quarter of the session window").isEmpty();
        second.stream.consumed(500_000);

        assertThat(client.sent()).as("each stream is below half its own window")
                .extracting(Sent::toString, Sent::increment).containsExactly(tuple("WINDOW_UPDATE 0", 1_100_000));
    }

    @Test
    void droppedBytesGoBackAtOnce() {
        int quarter = MIB / 4;
        MuxHarness client = client(QUIET.withWindows(MIB, MIB, MIB));
        client.acceptStream(1);
        client.receive(reset(1, ErrorCode.CANCELLED), open(5, 1));
        RecordingHandler finished = client.acceptStream(7);
        client.receive(fin(7));

        client.receive(data(1, 100_000)); // a stream already reset
        client.receive(data(3, 100_000)); // an id the peer skipped
        assertThat(client.sent()).isEmpty();
        client.receive(data(7, quarter - 200_000)); // after the peer's FIN

        List<Sent> sent = client.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("WINDOW_UPDATE 0", "RESET 7");
        assertThat(sent.get(0).increment()).isEqualTo(quarter);
        assertThat(finished.events).containsExactly("fin", "closed STREAM_CLOSED: DATA after FIN");
    }

    @Test
    void undeliveredBytesGoBackWhenTheirStreamEndsAndOnlyOnce() {
        int quarter = MIB / 4;
        MuxHarness client = client(QUIET.withWindows(MIB, MIB, MIB));
        RecordingHandler resetByPeer = client.acceptStream(1);
        RecordingHandler resetHere = client.acceptStream(3);
        client.receive(data(1, 100_000), data(3, 100_000), open(5, 1), data(5, quarter - 200_000));

        client.receive(reset(1, ErrorCode.CANCELLED));
        resetHere.stream.reset(ErrorCode.CANCELLED);
        assertThat(client.sent()).extracting(Sent::toString).containsExactly("RESET 3");
        client.accepted.get(client.accepted.size() - 1).refuse(ErrorCode.LOCAL_UNREACHABLE, "connection refused");

        List<Sent> sent = client.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("OPEN_REFUSED 5", "WINDOW_UPDATE 0");
        assertThat(sent.get(1).increment()).isEqualTo(quarter);

        // The handlers finish writing what they had after all: that credit went back with the close.
        resetByPeer.stream.consumed(100_000);
        resetHere.stream.consumed(100_000);
        RecordingHandler next = client.acceptStream(7);
        client.receive(data(7, quarter - 1));
        next.stream.consumed(quarter - 1);
        assertThat(client.sent()).as("nothing was counted twice").isEmpty();
        client.receive(data(7, 1));
        next.stream.consumed(1);
        assertThat(client.sent()).extracting(Sent::toString, Sent::increment).containsExactly(tuple("WINDOW_UPDATE 0", quarter));
    }

    // ---- sending within the peer's session credit ----

    @Test
    void senderNeverHasMoreDataUnacknowledgedThanTheSessionCredit() {
        MuxHarness relay = relay(peer(16 * MIB, FRAME));
        List<RecordingHandler> streams = List.of(relay.openStream(1), relay.openStream(1), relay.openStream(1));
        relay.sent();

        streams.forEach(h -> h.stream.write(bytes(MIB)));

        List<Sent> data = relay.sentData();
        assertThat(data.stream().mapToInt(Sent::length).sum()).as("the 1 MiB every session starts with").isEqualTo(MIB);
        assertThat(data).extracting(Sent::streamId).as("still round robin").startsWith(1, 3, 5, 1, 3, 5).endsWith(1);
        relay.channel.runPendingTasks();
        assertThat(relay.sentData()).as("nothing more without session credit").isEmpty();

        relay.receive(windowUpdate(0, 100_000));
        assertThat(relay.sentData()).extracting(Sent::toString).containsExactly("DATA 3 len=65536", "DATA 5 len=34464");

        relay.receive(windowUpdate(0, 1));
        assertThat(relay.sentData()).as("the stream that was blocked kept its turn").extracting(Sent::toString)
                .containsExactly("DATA 1 len=1");
        assertThat(relay.session.bytesSent()).isEqualTo(MIB + 100_001);
    }

    @Test
    void sourcesPauseWhileTheSessionIsBlockedAndResumeInOrder() {
        MuxHarness relay = relay(peer(16 * MIB, FRAME));
        RecordingHandler a = relay.openStream(1);
        RecordingHandler b = relay.openStream(1);
        RecordingHandler c = relay.openStream(1);
        blockSession(relay, a);
        List<Integer> asked = recordAsks(a, b, c);
        b.stream.write(bytes(1));
        c.stream.write(bytes(1));
        RecordingHandler opened = relay.openStream(1); // stream 7, opened while blocked
        opened.whenWritable = () -> asked.add(opened.stream.id());

        assertThat(relay.sentData()).isEmpty();
        assertThat(asked).as("every stream has credit, but the session has none").isEmpty();
        assertThat(opened.writable).as("not even a new stream reads").isZero();

        relay.receive(windowUpdate(0, FRAME));

        assertThat(relay.sentData()).extracting(Sent::toString).containsExactly("DATA 1 len=65536");
        assertThat(asked).containsExactly(1, 3, 5, 7);
    }

    @Test
    void resumingStopsAsSoonAsTheSessionIsBlockedAgain() {
        MuxHarness relay = relay(peer(16 * MIB, FRAME));
        RecordingHandler a = relay.openStream(1);
        RecordingHandler b = relay.openStream(1);
        RecordingHandler c = relay.openStream(1);
        blockSession(relay, a);
        List<Integer> asked = recordAsks(a, b, c);
        b.stream.write(bytes(1));
        c.stream.write(bytes(1));
        b.whenWritable = () -> {
            asked.add(3);
            b.whenWritable = () -> asked.add(3);
            b.stream.write(bytes(READ_AHEAD - 1)); // a source with a big read ready: the session is full again
        };

        relay.receive(windowUpdate(0, FRAME));
        assertThat(asked).as("c still waits").containsExactly(1, 3);

        relay.receive(windowUpdate(0, 2 * MIB));
        assertThat(asked).as("c first, then b once its own read-ahead has gone out").containsExactly(1, 3, 5, 3);
    }

    @Test
    void closingAStreamWithUnsentDataResumesTheOthers() {
        MuxHarness relay = relay(peer(16 * MIB, FRAME));
        RecordingHandler a = relay.openStream(1);
        RecordingHandler b = relay.openStream(1);
        blockSession(relay, a);
        List<Integer> asked = recordAsks(a, b);
        b.stream.write(bytes(1));
        assertThat(relay.sentData()).isEmpty(); // and nothing left to do on the loop
        assertThat(asked).isEmpty();

        relay.receive(reset(1, ErrorCode.CANCELLED)); // its 256 KiB are dropped, not sent

        assertThat(asked).as("no session credit came, but nothing waits for it now").containsExactly(3);
        assertThat(relay.sentData()).isEmpty();
    }

    // ---- helpers ----

    /** Uses up the session's 1 MiB of credit on {@code a}, then queues one read-ahead more: the session is blocked. */
    private static void blockSession(MuxHarness relay, RecordingHandler a) {
        a.stream.write(bytes(MIB));
        assertThat(relay.sentData().stream().mapToInt(Sent::length).sum()).isEqualTo(MIB);
        a.stream.write(bytes(READ_AHEAD));
    }

    /** From now on, notes the id of each stream whose source is asked for data. */
    private static List<Integer> recordAsks(RecordingHandler... handlers) {
        List<Integer> asked = new ArrayList<>();
        for (RecordingHandler h : handlers) {
            h.whenWritable = () -> asked.add(h.stream.id());
        }
        return asked;
    }

    private MuxHarness relay(HandshakeCompleted peer) {
        return harness(MuxHarness.relay(QUIET, peer));
    }

    private MuxHarness client(ProtocolSettings local) {
        return harness(MuxHarness.client(local, peer(65536, 65536)));
    }

    private MuxHarness harness(MuxHarness h) {
        harnesses.add(h);
        return h;
    }
}
