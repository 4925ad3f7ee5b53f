package dev.homeport.protocol.mux;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.message.Frames;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import dev.homeport.protocol.mux.MuxHarness.Sent;
import io.netty.channel.WriteBufferWaterMark;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.homeport.protocol.mux.MuxHarness.DEFAULT_PEER_GRANT;
import static dev.homeport.protocol.mux.MuxHarness.QUIET;
import static dev.homeport.protocol.mux.MuxHarness.bytes;
import static dev.homeport.protocol.mux.MuxHarness.peer;
import static dev.homeport.protocol.mux.MuxHarness.windowUpdate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/** PROTOCOL.md, "Fair sending": round robin, one frame per turn, bounded read-ahead, and the water marks. */
class FairSendingTest {
    private final List<MuxHarness> harnesses = new ArrayList<>();

    @AfterEach
    void closeAll() {
        harnesses.forEach(MuxHarness::close);
    }

    @Test
    void streamsWithQueuedDataTakeTurnsOneFrameEach() {
        MuxHarness relay = relay(peer(1024 * 1024, 1024));
        RecordingHandler a = relay.openStream(1);
        RecordingHandler b = relay.openStream(1);
        relay.sent();

        a.stream.write(bytes(4096));
        b.stream.write(bytes(3000));

        assertThat(relay.sentData()).extracting(Sent::streamId, Sent::length).containsExactly(
                tuple(1, 1024), tuple(3, 1024),
                tuple(1, 1024), tuple(3, 1024),
                tuple(1, 1024), tuple(3, 952),
                tuple(1, 1024));
    }

    @Test
    void bulkStreamDelaysAnInteractiveOneByAtMostOneFrame() {
        MuxHarness relay = relay(peer(1024 * 1024, 16 * 1024));
        RecordingHandler bulk = relay.openStream(1);
        RecordingHandler keystrokes = relay.openStream(1);
        relay.sent();

        bulk.stream.write(bytes(512 * 1024));
        keystrokes.stream.write(bytes(3));

        assertThat(relay.sentData()).extracting(Sent::toString).startsWith("DATA 1 len=16384", "DATA 3 len=3");
    }

    @Test
    void sourceIsReadAheadByAtMostFourFramesOfThePeer() {
        MuxHarness relay = relay(peer(1024 * 1024, 1024));
        RecordingHandler handler = relay.openStream(1);
        int asked = handler.writable;

        handler.stream.write(bytes(3000));
        assertThat(handler.writable).as("3000 < 4 frames: read on").isEqualTo(asked + 1);
        handler.stream.write(bytes(1096));
        assertThat(handler.writable).as("4096 queued: reading pauses").isEqualTo(asked + 1);

        relay.sent(); // the session frames the queue, so the source may be read again

        assertThat(handler.writable).isEqualTo(asked + 2);
    }

    @Test
    void streamWithoutCreditStopsReadingUntilAWindowUpdate() {
        MuxHarness relay = relay(peer(1024, 1024));
        RecordingHandler handler = relay.openStream(1);
        int asked = handler.writable;

        handler.stream.write(bytes(1024));
        relay.sent();
        assertThat(handler.writable).as("credit used up").isEqualTo(asked);

        relay.receive(windowUpdate(1, 1024));

        assertThat(handler.writable).isEqualTo(asked + 1);
    }

    @Test
    void sessionSetsTheWriteBufferWaterMarksTo128And512KiB() {
        MuxHarness relay = relay(peer(65536, 65536));

        WriteBufferWaterMark marks = relay.channel.config().getWriteBufferWaterMark();

        assertThat(marks.low()).isEqualTo(128 * 1024);
        assertThat(marks.high()).isEqualTo(512 * 1024);
    }

    @Test
    void dataStopsAtTheHighWaterMarkAndResumesWhenTheSocketDrains() {
        MuxHarness relay = relay(peer(4 * 1024 * 1024, 64 * 1024));
        relay.receive(windowUpdate(0, DEFAULT_PEER_GRANT)); // more than 2 MiB of session credit
        RecordingHandler handler = relay.openStream(1);
        relay.sent();
        relay.gate.close(); // the socket takes nothing for now

        handler.stream.write(bytes(2 * 1024 * 1024));
        relay.channel.runPendingTasks();

        assertThat(relay.channel.isWritable()).isFalse();
        assertThat(relay.session.bytesSent()).as("framed while the socket was blocked")
                .isBetween(512L * 1024 - 64 * 1024, 512L * 1024 + 64 * 1024);

        relay.gate.open();

        assertThat(relay.sentData().stream().mapToInt(Sent::length).sum()).isEqualTo(2 * 1024 * 1024);
    }

    @Test
    void pingIsAnsweredAheadOfStreamDataStillQueued() {
        MuxHarness relay = relay(peer(4 * 1024 * 1024, 64 * 1024));
        relay.receive(windowUpdate(0, DEFAULT_PEER_GRANT)); // more than 2 MiB of session credit
        RecordingHandler handler = relay.openStream(1);
        relay.sent();
        relay.gate.close();
        handler.stream.write(bytes(2 * 1024 * 1024));
        relay.channel.runPendingTasks();

        relay.receive(Frames.ping(MuxHarness.ALLOC, 99, false));
        relay.gate.open();
        relay.channel.runPendingTasks();

        List<Sent> sent = relay.sentAll();
        int ack = indexOf(sent, FrameType.PING);
        assertThat(ack).isPositive();
        assertThat(sent.get(ack).flags()).isEqualTo(Frame.FLAG_ACK);
        assertThat(sent.subList(ack + 1, sent.size()).stream().mapToInt(Sent::length).sum())
                .as("most stream data goes out after the answer").isGreaterThan(1024 * 1024);
    }

    // ---- helpers ----

    private static int indexOf(List<Sent> sent, FrameType type) {
        for (int i = 0; i < sent.size(); i++) {
            if (sent.get(i).type() == type) {
                return i;
            }
        }
        return -1;
    }

    private MuxHarness relay(HandshakeCompleted peer) {
        MuxHarness h = MuxHarness.relay(QUIET, peer);
        harnesses.add(h);
        return h;
    }
}
