package dev.homeport.protocol.mux;

import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Fair sending", from handler writes to frames, with a recording output instead of a channel. */
class StreamSenderTest {
    private static final int FRAME = 100;

    /** The frames written, as "TYPE id len"; each frame is released once recorded. */
    private final List<String> frames = new ArrayList<>();
    private final List<MuxStream> finished = new ArrayList<>();
    private int flushesAsked;
    /** Frames the output takes before it reports itself not writable. */
    private int room = Integer.MAX_VALUE;

    private final StreamSender sender = new StreamSender(FRAME, new RoundRobinScheduler(FRAME), () -> flushesAsked++, finished::add);

    StreamSenderTest() {
        sender.bind(new StreamSender.Output() {
            @Override
            public void write(Frame frame) {
                frames.add(frame.type() + " " + frame.streamId() + " " + frame.payload().readableBytes());
                frame.release();
                room--;
            }

            @Override
            public boolean isWritable() {
                return room > 0;
            }
        });
    }

    private static MuxStream stream(int id, int window, RecordingHandler handler) {
        MuxStream s = new MuxStream(null, id, window, new InboundFlow(ProtocolSettings.defaults(), (streamId, increment) -> { }).newStream(0));
        s.assign(id, handler);
        s.apply(StreamState.Event.OPENED);
        handler.stream = s;
        return s;
    }

    private void write(MuxStream s, int bytes) {
        sender.send(s, Unpooled.buffer(bytes).writeZero(bytes));
    }

    @Test
    void dataGoesOutInFramesOfAtMostThePeersMaximumTakingTurns() {
        MuxStream a = stream(1, 10_000, new RecordingHandler());
        MuxStream b = stream(3, 10_000, new RecordingHandler());
        write(a, 250);
        write(b, 50);

        assertThat(sender.writeReady()).isTrue();

        assertThat(frames).containsExactly("DATA 1 100", "DATA 3 50", "DATA 1 100", "DATA 1 50");
        assertThat(sender.bytesSent()).isEqualTo(300);
        assertThat(sender.pendingBytes()).isZero();
        assertThat(flushesAsked).as("once per stream that became ready").isEqualTo(2);
    }

    @Test
    void aStreamSendsOnlyWithinItsCreditAndAsksForMoreOnceGranted() {
        RecordingHandler handler = new RecordingHandler();
        MuxStream s = stream(1, 60, handler);
        write(s, 100);
        sender.writeReady();
        assertThat(frames).containsExactly("DATA 1 60");
        int askedBefore = handler.writable;

        sender.streamGranted(s, 1000);
        sender.writeReady();

        assertThat(frames).containsExactly("DATA 1 60", "DATA 1 40");
        assertThat(handler.writable).as("its source may be read again").isGreaterThan(askedBefore);
        sender.discard(s, false);
    }

    @Test
    void theFinFollowsTheDataAndAStreamFinishedBothWaysIsReported() {
        MuxStream s = stream(1, 10_000, new RecordingHandler());
        s.apply(StreamState.Event.FIN_RECEIVED);
        write(s, 10);
        s.send.requestFin();
        sender.send(s, null);

        sender.writeReady();

        assertThat(frames).containsExactly("DATA 1 10", "FIN 1 0");
        assertThat(finished).containsExactly(s);
        assertThat(s.state()).isEqualTo(StreamState.CLOSED);
    }

    @Test
    void aFinWhileThePeerStillSendsHalfClosesOnly() {
        MuxStream s = stream(1, 10_000, new RecordingHandler());
        s.send.requestFin();
        sender.send(s, null);

        sender.writeReady();

        assertThat(frames).containsExactly("FIN 1 0");
        assertThat(finished).isEmpty();
        assertThat(s.state()).isEqualTo(StreamState.LOCAL_CLOSED);
    }

    @Test
    void framingStopsWhileTheOutputIsNotWritableAndGoesOnAfter() {
        MuxStream s = stream(1, 10_000, new RecordingHandler());
        write(s, 300);
        room = 1;

        sender.writeReady();
        assertThat(frames).containsExactly("DATA 1 100");
        sender.writeReady();
        assertThat(frames).as("nothing while not writable").hasSize(1);

        room = Integer.MAX_VALUE;
        sender.writeReady();
        assertThat(frames).containsExactly("DATA 1 100", "DATA 1 100", "DATA 1 100");
    }

    @Test
    void withoutSessionCreditNothingGoesUntilTheSessionIsGranted() {
        MuxStream bulk = stream(1, Integer.MAX_VALUE, new RecordingHandler());
        write(bulk, ProtocolSettings.INITIAL_SESSION_WINDOW + 50);
        room = Integer.MAX_VALUE;
        sender.writeReady();
        frames.clear();

        assertThat(sender.writeReady()).as("nothing framed: the head keeps its turn").isFalse();
        assertThat(frames).isEmpty();
        int asked = flushesAsked;
        sender.sessionGranted(50);

        assertThat(flushesAsked).isGreaterThan(asked);
        sender.writeReady();
        assertThat(frames).containsExactly("DATA 1 50");
    }

    @Test
    void droppedDataAsksForAWriteOnlyWhenOthersMayResume() {
        MuxStream a = stream(1, 10_000, new RecordingHandler());
        MuxStream b = stream(3, 10_000, new RecordingHandler());
        write(a, 10);
        write(b, 10);
        int asked = flushesAsked;

        sender.discard(a, false);
        assertThat(flushesAsked).isEqualTo(asked);
        sender.discard(b, true);
        assertThat(flushesAsked).isEqualTo(asked + 1);
        assertThat(sender.pendingBytes()).isZero();
        sender.writeReady();
        assertThat(frames).isEmpty();
    }
}
