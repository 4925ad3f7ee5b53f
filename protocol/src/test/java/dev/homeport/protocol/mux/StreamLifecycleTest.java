package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.message.Hello;
import dev.homeport.protocol.message.Open;
import dev.homeport.protocol.message.OpenRefused;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import dev.homeport.protocol.mux.MuxHarness.Sent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import static dev.homeport.protocol.mux.MuxHarness.QUIET;
import static dev.homeport.protocol.mux.MuxHarness.bytes;
import static dev.homeport.protocol.mux.MuxHarness.data;
import static dev.homeport.protocol.mux.MuxHarness.fin;
import static dev.homeport.protocol.mux.MuxHarness.open;
import static dev.homeport.protocol.mux.MuxHarness.openRefused;
import static dev.homeport.protocol.mux.MuxHarness.peer;
import static dev.homeport.protocol.mux.MuxHarness.reset;
import static dev.homeport.protocol.mux.MuxHarness.windowUpdate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

/** PROTOCOL.md, "Streams": ids, OPEN, half-close, RESET, and which frames a stream may receive. */
class StreamLifecycleTest {
    private final List<MuxHarness> harnesses = new ArrayList<>();

    @AfterEach
    void closeAll() {
        harnesses.forEach(MuxHarness::close);
    }

    // ---- opening ----

    @Test
    void openFromTheRelayGoesToTheClientsAcceptor() {
        MuxHarness client = client();

        client.receive(open(1, 3));

        assertThat(client.accepted).extracting(MuxStream::id).containsExactly(1);
        assertThat(client.opens).containsExactly(new Open(3, "203.0.113.9:51234"));
        assertThat(client.session.openStreams()).isEqualTo(1);
        assertThat(client.sent()).isEmpty();
    }

    @Test
    void relayOpensOddIdsInIncreasingOrderAndTheClientEvenOnes() {
        MuxHarness relay = relay();
        MuxHarness client = client();

        for (int i = 0; i < 3; i++) {
            relay.openStream(7);
            client.openStream(7);
        }

        assertThat(relay.sent()).extracting(Sent::type, Sent::streamId).containsExactly(
                tuple(FrameType.OPEN, 1), tuple(FrameType.OPEN, 3),
                tuple(FrameType.OPEN, 5));
        assertThat(client.sent()).extracting(Sent::streamId).containsExactly(2, 4, 6);
    }

    @Test
    void aNewStreamTakesItsIdWhenItOpensSoIdsFollowTheOrderOfOpens() {
        MuxHarness relay = relay();
        MuxStream first = relay.session.newStream();
        MuxStream second = relay.session.newStream();
        RecordingHandler handler = new RecordingHandler();

        assertThat(first.id()).as("no id before open").isZero();
        second.open(7, "198.51.100.7:40000", handler);
        first.open(7, "198.51.100.7:40001", new RecordingHandler());
        relay.channel.runPendingTasks();

        assertThat(second.id()).isEqualTo(1);
        assertThat(first.id()).isEqualTo(3);
        assertThat(relay.sent()).extracting(Sent::toString).containsExactly("OPEN 1", "OPEN 3");
        assertThatThrownBy(() -> second.open(7, "198.51.100.7:40000", handler)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aStreamResetBeforeItsOpenWentOutEndsWithoutAFrame() {
        MuxHarness relay = relay();
        MuxStream stream = relay.session.newStream();
        RecordingHandler handler = new RecordingHandler();
        stream.open(7, "198.51.100.7:40000", handler);

        stream.reset(ErrorCode.CANCELLED);
        relay.channel.runPendingTasks();
        RecordingHandler next = relay.openStream(7);

        assertThat(relay.sent()).extracting(Sent::toString).as("id 1 skipped, which the peer allows").containsExactly("OPEN 3");
        assertThat(next.stream.id()).isEqualTo(3);
        assertThat(relay.session.openStreams()).isEqualTo(1);
        assertThat(handler.events).isEmpty();
    }

    @Test
    void openCarriesTunnelAndPeerAddressAndDataMayFollowAtOnce() {
        MuxHarness relay = relay();
        RecordingHandler handler = relay.openStream(42);

        handler.stream.write(bytes(100));

        List<Sent> sent = relay.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("OPEN 1", "DATA 1 len=100");
        assertThat(sent.get(0).open()).isEqualTo(new Open(42, "198.51.100.7:40000"));
        assertThat(handler.writable).as("asked for data as soon as the stream opened").isPositive();
    }

    @Test
    void dataBeforeAttachIsHeldAndDeliveredAtAttach() {
        MuxHarness client = client();
        client.receive(open(1, 3), data(1, "hello "), data(1, "world"), fin(1));
        MuxStream stream = client.accepted.get(0);
        RecordingHandler handler = new RecordingHandler();
        handler.stream = stream;

        stream.attach(handler);

        assertThat(handler.events).containsExactly("data 6", "data 5", "flush", "fin");
        assertThat(handler.text()).isEqualTo("hello world");
        assertThat(handler.writable).isEqualTo(1);
    }

    @Test
    void dataAfterAttachIsDeliveredAndFlushedOncePerRead() {
        MuxHarness client = client();
        RecordingHandler handler = client.acceptStream(1);

        client.receive(data(1, "ab"), data(1, "cd"));

        assertThat(handler.events).containsExactly("data 2", "data 2", "flush");
    }

    @Test
    void openWithTheReceiversOwnParityIsProtocolError() {
        MuxHarness client = client();

        client.receive(open(2, 3));

        assertClosedWith(client, ErrorCode.PROTOCOL_ERROR, "OPEN of stream 2 is not allowed from this peer");
        assertThat(client.accepted).isEmpty();
    }

    @Test
    void relayAcceptsNoOpen() {
        MuxHarness relay = relay();

        relay.receive(open(2, 3));

        assertClosedWith(relay, ErrorCode.PROTOCOL_ERROR, "OPEN of stream 2 is not allowed from this peer");
    }

    @Test
    void openOfAnIdAlreadyUsedIsProtocolError() {
        MuxHarness client = client();

        client.receive(open(1, 3), open(1, 3));

        assertClosedWith(client, ErrorCode.PROTOCOL_ERROR, "OPEN reuses stream id 1");
        assertThat(client.accepted).hasSize(1);
    }

    @Test
    void openOfALowerIdThanBeforeIsProtocolError() {
        MuxHarness client = client();

        client.receive(open(5, 3), open(3, 3));

        assertClosedWith(client, ErrorCode.PROTOCOL_ERROR, "OPEN reuses stream id 3");
    }

    @Test
    void openBeyondMaxConcurrentStreamsIsResetWithStreamLimit() {
        MuxHarness client = harness(MuxHarness.client(QUIET.withMaxConcurrentStreams(2), peer(65536, 65536)));

        client.receive(open(1, 3), open(3, 3), open(5, 3));

        assertThat(client.accepted).extracting(MuxStream::id).containsExactly(1, 3);
        List<Sent> sent = client.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("RESET 5");
        assertThat(sent.get(0).resetCode()).isEqualTo(ErrorCode.STREAM_LIMIT);
        assertThat(client.channel.isActive()).as("the session survives").isTrue();

        client.receive(reset(1, ErrorCode.CANCELLED), open(7, 3));

        assertThat(client.accepted).extracting(MuxStream::id).containsExactly(1, 3, 7);
    }

    @Test
    void openBeyondThePeersLimitFailsLocallyWithoutSendingAnything() {
        MuxHarness relay = harness(MuxHarness.relay(QUIET, peer(65536, 65536, 1, 0)));
        relay.openStream(1);
        relay.sent();

        RecordingHandler second = relay.openStream(1);

        assertThat(second.events).containsExactly("closed STREAM_LIMIT: the peer accepts at most 1 concurrent streams");
        assertThat(relay.sent()).isEmpty();
    }

    // ---- which stream frames are accepted ----

    /** Every stream frame a peer may send on an existing stream, built for a given id. */
    enum StreamFrame {
        DATA(id -> data(id, 10)),
        WINDOW_UPDATE(id -> windowUpdate(id, 100)),
        FIN(MuxHarness::fin),
        RESET(id -> reset(id, ErrorCode.CANCELLED)),
        OPEN_REFUSED(id -> openRefused(id, ErrorCode.LOCAL_UNREACHABLE, "no"));

        final IntFunction<Frame> build;

        StreamFrame(IntFunction<Frame> build) {
            this.build = build;
        }
    }

    @ParameterizedTest
    @EnumSource(StreamFrame.class)
    void frameForAStreamThePeerNeverOpenedIsProtocolError(StreamFrame kind) {
        MuxHarness client = client();
        client.receive(open(1, 3));

        client.receive(kind.build.apply(5));

        assertClosedWith(client, ErrorCode.PROTOCOL_ERROR, kind + " on stream 5, which was never opened");
    }

    @ParameterizedTest
    @EnumSource(StreamFrame.class)
    void frameForAStreamThisSideNeverOpenedIsProtocolError(StreamFrame kind) {
        MuxHarness relay = relay();
        relay.openStream(1);

        relay.receive(kind.build.apply(3));

        assertClosedWith(relay, ErrorCode.PROTOCOL_ERROR, kind + " on stream 3, which was never opened");
    }

    @ParameterizedTest
    @EnumSource(StreamFrame.class)
    void frameForAClosedStreamIsIgnored(StreamFrame kind) {
        MuxHarness client = client();
        RecordingHandler handler = client.acceptStream(1);
        client.receive(reset(1, ErrorCode.CANCELLED));

        client.receive(kind.build.apply(1));

        assertThat(client.channel.isActive()).isTrue();
        assertThat(client.sent()).isEmpty();
        assertThat(handler.events).containsExactly("closed CANCELLED: reset by peer: cancelled");
    }

    @Test
    void idSkippedByThePeerCountsAsClosed() {
        MuxHarness client = client();
        client.receive(open(5, 3));

        client.receive(data(3, 10));

        assertThat(client.channel.isActive()).isTrue();
        assertThat(client.sent()).isEmpty();
    }

    // ---- half-close ----

    @Test
    void streamFinishesWhenBothSidesSentFin() {
        MuxHarness client = client();
        RecordingHandler handler = client.acceptStream(1);

        client.receive(data(1, "request"), fin(1));
        assertThat(handler.events).containsExactly("data 7", "fin", "flush");
        assertThat(client.session.openStreams()).isEqualTo(1);

        handler.stream.write(bytes(8));
        handler.stream.shutdownOutput();

        assertThat(client.sent()).extracting(Sent::toString).containsExactly("DATA 1 len=8", "FIN 1");
        assertThat(client.session.openStreams()).isZero();
        assertThat(handler.events).as("a clean finish is no close event").containsExactly("data 7", "fin", "flush");
    }

    @Test
    void finWaitsForDataQueuedBeforeIt() {
        MuxHarness relay = harness(MuxHarness.relay(QUIET, peer(2048, 1024)));
        RecordingHandler handler = relay.openStream(1);
        relay.sent();

        handler.stream.write(bytes(5000));
        handler.stream.shutdownOutput();
        assertThat(relay.sent()).extracting(Sent::toString).containsExactly("DATA 1 len=1024", "DATA 1 len=1024");

        relay.receive(windowUpdate(1, 4096));

        assertThat(relay.sent()).extracting(Sent::toString)
                .containsExactly("DATA 1 len=1024", "DATA 1 len=1024", "DATA 1 len=904", "FIN 1");
    }

    @Test
    void writesAfterShutdownOutputAreDropped() {
        MuxHarness relay = relay();
        RecordingHandler handler = relay.openStream(1);
        handler.stream.shutdownOutput();

        handler.stream.write(bytes(10));

        assertThat(relay.sent()).extracting(Sent::toString).containsExactly("OPEN 1", "FIN 1");
    }

    @Test
    void dataAfterThePeersFinIsResetWithStreamClosed() {
        MuxHarness client = client();
        RecordingHandler handler = client.acceptStream(1);

        client.receive(fin(1), data(1, "late"));

        assertThat(client.sent()).extracting(Sent::toString, Sent::resetCode)
                .containsExactly(tuple("RESET 1", ErrorCode.STREAM_CLOSED));
        assertThat(handler.events).containsExactly("fin", "closed STREAM_CLOSED: DATA after FIN");
    }

    @Test
    void secondFinIsResetWithStreamClosed() {
        MuxHarness client = client();
        RecordingHandler handler = client.acceptStream(1);

        client.receive(fin(1), fin(1));

        assertThat(client.sent()).extracting(Sent::resetCode).containsExactly(ErrorCode.STREAM_CLOSED);
        assertThat(handler.events).containsExactly("fin", "closed STREAM_CLOSED: second FIN");
    }

    // ---- reset and refusal ----

    @Test
    void resetFromThePeerNotifiesTheHandlerAndDropsQueuedData() {
        MuxHarness relay = harness(MuxHarness.relay(QUIET, peer(1024, 1024)));
        RecordingHandler handler = relay.openStream(1);
        handler.stream.write(bytes(10_000));
        assertThat(relay.sent()).extracting(Sent::toString).as("the rest waits for credit")
                .containsExactly("OPEN 1", "DATA 1 len=1024");

        relay.receive(reset(1, ErrorCode.LOCAL_UNREACHABLE));
        handler.stream.write(bytes(10)); // released, not sent

        assertThat(handler.events).containsExactly("closed LOCAL_UNREACHABLE: reset by peer: local service unreachable");
        assertThat(relay.session.openStreams()).isZero();
        assertThat(relay.sent()).isEmpty();
    }

    @Test
    void localResetSendsResetWithTheCode() {
        MuxHarness client = client();
        RecordingHandler handler = client.acceptStream(1);
        client.receive(data(1, "held"));

        handler.stream.reset(ErrorCode.CANCELLED);

        List<Sent> sent = client.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("RESET 1");
        assertThat(sent.get(0).resetCode()).isEqualTo(ErrorCode.CANCELLED);
        assertThat(client.session.openStreams()).isZero();
    }

    @Test
    void openRefusedByThePeerEndsTheStreamWithItsReason() {
        MuxHarness relay = relay();
        RecordingHandler handler = relay.openStream(1);

        relay.receive(openRefused(1, ErrorCode.LOCAL_UNREACHABLE, "connection refused: localhost:8888"));

        assertThat(handler.events).containsExactly("closed LOCAL_UNREACHABLE: connection refused: localhost:8888");
        assertThat(relay.session.openStreams()).isZero();
    }

    @Test
    void refusingAnAcceptedStreamSendsOpenRefusedAndDropsHeldData() {
        MuxHarness client = client();
        client.receive(open(1, 3), data(1, "held until refused"));

        client.accepted.get(0).refuse(ErrorCode.LOCAL_UNREACHABLE, "connection refused");

        List<Sent> sent = client.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("OPEN_REFUSED 1");
        assertThat(sent.get(0).openRefused()).isEqualTo(new OpenRefused(ErrorCode.LOCAL_UNREACHABLE, "connection refused"));
        assertThat(client.session.openStreams()).isZero();
    }

    @Test
    void attachingAfterTheStreamEndedTellsTheHandler() {
        MuxHarness client = client();
        client.receive(open(1, 3), reset(1, ErrorCode.CANCELLED));
        RecordingHandler handler = new RecordingHandler();

        client.accepted.get(0).attach(handler);

        assertThat(handler.events).containsExactly("closed CANCELLED: stream ended before it was connected");
    }

    @Test
    void closingTheConnectionEndsEveryStream() {
        MuxHarness relay = relay();
        RecordingHandler a = relay.openStream(1);
        RecordingHandler b = relay.openStream(1);
        a.stream.write(bytes(10));

        relay.channel.close();

        assertThat(a.events).containsExactly("closed CANCELLED: session closed: connection closed");
        assertThat(b.events).containsExactly("closed CANCELLED: session closed: connection closed");
        assertThat(relay.session.openStreams()).isZero();
    }

    // ---- session frames ----

    @Test
    void bindFramesPassToTheNextHandler() {
        MuxHarness relay = relay();

        relay.receive(new Bind(1, Bind.KIND_TCP, 0, "jupyter").toFrame(MuxHarness.ALLOC));

        assertThat(relay.passedOn(Frame.class)).extracting(Frame::type).containsExactly(FrameType.BIND);
    }

    @Test
    void handshakeFrameAfterTheHandshakeIsProtocolError() {
        MuxHarness relay = relay();

        relay.receive(new Hello(1, 1, new byte[32], 65536, 65536, "again").toFrame(MuxHarness.ALLOC));

        assertClosedWith(relay, ErrorCode.PROTOCOL_ERROR, "HELLO frame after the handshake");
    }

    // ---- helpers ----

    private MuxHarness client() {
        return harness(MuxHarness.client(QUIET, peer(65536, 65536)));
    }

    private MuxHarness relay() {
        return harness(MuxHarness.relay(QUIET, peer(65536, 65536)));
    }

    private MuxHarness harness(MuxHarness h) {
        harnesses.add(h);
        return h;
    }

    /** The session ended as a session error does: one GO_AWAY with the code and reason, then the close. */
    static void assertClosedWith(MuxHarness h, ErrorCode code, String message) {
        List<Sent> goAways = h.sent().stream().filter(s -> s.type() == FrameType.GO_AWAY).toList();
        assertThat(goAways).extracting(Sent::goAway).containsExactly(new GoAway(code, message));
        assertThat(h.channel.isOpen()).as("connection closed").isFalse();
        assertThat(h.session.closeReason()).isEqualTo(message);
    }
}
