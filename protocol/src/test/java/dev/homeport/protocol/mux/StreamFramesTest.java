package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Frames;
import dev.homeport.protocol.message.OpenRefused;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static dev.homeport.protocol.mux.RecordingConnection.ALLOC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PROTOCOL.md, "Streams" and "Flow control": what each of the peer's frames for an open stream does,
 * against a real {@link StreamTable} for the id rules and a recorder of what is asked of the streams.
 */
class StreamFramesTest {
    private static final int STREAM_WINDOW = 64 * 1024;
    private static final ProtocolSettings LOCAL = ProtocolSettings.defaults()
            .withWindows(STREAM_WINDOW, STREAM_WINDOW, ProtocolSettings.INITIAL_SESSION_WINDOW);

    /** The peer's credit returned, as "id +increment". */
    private final List<String> updates = new ArrayList<>();
    /** Stream frames the sender wrote, as the recorder describes them. */
    private final List<String> written = new ArrayList<>();
    private final InboundFlow inbound = new InboundFlow(LOCAL, (id, increment) -> updates.add(id + " +" + increment));
    private final StreamSender sender = new StreamSender(1000, new RoundRobinScheduler(1000), () -> { }, s -> { });
    private final RecordingStreams streams = new RecordingStreams();
    private final StreamFrames frames = new StreamFrames(streams, inbound, sender);

    StreamFramesTest() {
        sender.bind(new StreamSender.Output() {
            @Override
            public void write(Frame frame) {
                written.add(RecordingConnection.describe(frame));
                frame.release();
            }

            @Override
            public boolean isWritable() {
                return true;
            }
        });
    }

    /** The relay's streams (odd ids it opens, even ones the peer opens), and what the frames asked of them. */
    private static final class RecordingStreams implements StreamFrames.Streams {
        final StreamTable table = new StreamTable(1, 100, 100);
        final List<String> asked = new ArrayList<>();

        @Override
        public MuxStream get(int id) {
            return table.get(id);
        }

        @Override
        public void requireKnown(int id, FrameType type) {
            table.requireKnown(id, type);
        }

        @Override
        public void resetStream(MuxStream s, ErrorCode code, String reason) {
            asked.add("reset " + s.id() + " " + code + ": " + reason);
        }

        @Override
        public void closedByPeer(MuxStream s, ErrorCode code, String reason) {
            asked.add("closed " + s.id() + " " + code + ": " + reason);
        }

        @Override
        public void finished(MuxStream s) {
            asked.add("finished " + s.id());
        }
    }

    private final ReceivingParent parent = new ReceivingParent();

    /** A stream this side opened, open both ways, with a handler attached. */
    private RecordingHandler openStream(int sendWindow) {
        int id = streams.table.local().takeNextId();
        RecordingHandler handler = new RecordingHandler();
        MuxStream s = new MuxStream(parent, id, sendWindow, inbound.newStream(0));
        s.assign(id, handler);
        s.apply(StreamState.Event.OPENED);
        streams.table.add(s);
        handler.stream = s;
        return handler;
    }

    /** As the session hands the peer's frames over: it releases each after. */
    private void receive(Frame frame, Consumer<Frame> part) {
        try {
            part.accept(frame);
        } finally {
            frame.release();
        }
    }

    private static Frame data(int id, int bytes) {
        return Frame.data(id, ALLOC.buffer(bytes).writeZero(bytes));
    }

    @Test
    void dataForAnOpenStreamGoesToItsHandlerAndIsCountedUntilDelivered() {
        RecordingHandler h = openStream(1000);

        receive(data(1, 100), frames::onData);

        assertThat(h.events).containsExactly("data 100");
        assertThat(h.stream.receive.undelivered()).isEqualTo(100);
        assertThat(parent.readCompleteAsked).as("its handler may flush once the read ends").containsExactly(1);
        assertThat(frames.bytesReceived()).isEqualTo(100);
    }

    @Test
    void dataBeyondTheStreamsCreditIsAFlowControlError() {
        openStream(1000);

        assertThatThrownBy(() -> receive(data(1, STREAM_WINDOW + 1), frames::onData))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FLOW_CONTROL_ERROR));
    }

    @Test
    void dataForAStreamClosedHereIsDroppedAndItsBytesGoBackToTheSessionWindow() {
        RecordingHandler h = openStream(1000);
        streams.table.remove(h.stream);
        int quarter = ProtocolSettings.INITIAL_SESSION_WINDOW / 4;

        receive(data(1, quarter), frames::onData);

        assertThat(h.events).isEmpty();
        assertThat(updates).containsExactly("0 +" + quarter);
        assertThat(streams.asked).isEmpty();
    }

    @Test
    void aFrameForAStreamNeverOpenedIsASessionError() {
        openStream(1000);

        assertThatThrownBy(() -> receive(Frame.empty(FrameType.FIN, 3), frames::onFin))
                .isInstanceOf(ProtocolException.class).hasMessage("FIN on stream 3, which was never opened");
        assertThatThrownBy(() -> receive(data(4, 10), frames::onData))
                .isInstanceOf(ProtocolException.class).hasMessage("DATA on stream 4, which was never opened");
    }

    @Test
    void dataAfterThePeersFinResetsTheStreamAndIsNotDelivered() {
        RecordingHandler h = openStream(1000);
        receive(Frame.empty(FrameType.FIN, 1), frames::onFin);

        receive(data(1, 10), frames::onData);

        assertThat(h.events).containsExactly("fin");
        assertThat(streams.asked).containsExactly("reset 1 STREAM_CLOSED: DATA after FIN");
    }

    @Test
    void aSecondFinResetsTheStream() {
        RecordingHandler h = openStream(1000);

        receive(Frame.empty(FrameType.FIN, 1), frames::onFin);
        assertThat(h.stream.state()).isEqualTo(StreamState.REMOTE_CLOSED);
        assertThat(streams.asked).isEmpty();
        receive(Frame.empty(FrameType.FIN, 1), frames::onFin);

        assertThat(streams.asked).containsExactly("reset 1 STREAM_CLOSED: second FIN");
    }

    @Test
    void theFinAfterOursFinishesTheStream() {
        RecordingHandler h = openStream(1000);
        h.stream.apply(StreamState.Event.FIN_SENT);

        receive(Frame.empty(FrameType.FIN, 1), frames::onFin);

        assertThat(h.stream.state()).isEqualTo(StreamState.CLOSED);
        assertThat(streams.asked).containsExactly("finished 1");
    }

    @Test
    void theReasonOfTheEndForAResetOrARefusedOpenComesFromThePeer() {
        openStream(1000);
        openStream(1000);

        receive(Frames.reset(ALLOC, 1, ErrorCode.CANCELLED), frames::onReset);
        receive(new OpenRefused(ErrorCode.LOCAL_UNREACHABLE, "connection refused").toFrame(ALLOC, 3), frames::onOpenRefused);

        assertThat(streams.asked).containsExactly("closed 1 CANCELLED: reset by peer: cancelled",
                "closed 3 LOCAL_UNREACHABLE: connection refused");
    }

    @Test
    void framesForAStreamClosedHereAreDropped() {
        RecordingHandler h = openStream(1000);
        streams.table.remove(h.stream);

        receive(Frames.windowUpdate(ALLOC, 1, 100), frames::onWindowUpdate);
        receive(Frame.empty(FrameType.FIN, 1), frames::onFin);
        receive(Frames.reset(ALLOC, 1, ErrorCode.CANCELLED), frames::onReset);

        assertThat(streams.asked).isEmpty();
        assertThat(h.events).isEmpty();
    }

    @Test
    void aStreamsWindowUpdateLetsItsQueuedDataGo() {
        RecordingHandler h = openStream(0);
        sender.send(h.stream, Unpooled.buffer(300).writeZero(300));
        sender.writeReady();
        assertThat(written).isEmpty();

        receive(Frames.windowUpdate(ALLOC, 1, 300), frames::onWindowUpdate);
        sender.writeReady();

        assertThat(written).containsExactly("DATA 1 300");
    }

    @Test
    void theSessionsWindowUpdateLetsDataWaitingForSessionCreditGo() {
        RecordingHandler h = openStream(Integer.MAX_VALUE);
        sender.send(h.stream, Unpooled.buffer(ProtocolSettings.INITIAL_SESSION_WINDOW + 50)
                .writeZero(ProtocolSettings.INITIAL_SESSION_WINDOW + 50));
        sender.writeReady();
        written.clear();

        receive(Frames.windowUpdate(ALLOC, 0, 50), frames::onWindowUpdate);
        sender.writeReady();

        assertThat(written).containsExactly("DATA 1 50");
    }
}
