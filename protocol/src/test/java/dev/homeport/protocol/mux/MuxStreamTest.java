package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Open;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One stream's own rules, against a recording {@link StreamParent} instead of a session. */
class MuxStreamTest {
    /** What the stream asked of its parent, in order. */
    private final List<String> asked = new ArrayList<>();
    private final List<ByteBuf> sent = new ArrayList<>();
    private final StreamParent parent = new StreamParent() {
        @Override
        public void run(Runnable task) {
            task.run();
        }

        @Override
        public boolean inEventLoop() {
            return true;
        }

        @Override
        public void open(MuxStream stream, Open open, StreamHandler handler) {
            asked.add("open tunnel " + open.tunnelId());
            stream.assign(5, handler);
        }

        @Override
        public void send(MuxStream stream, ByteBuf data) {
            asked.add(data == null ? "fin" : "send " + data.readableBytes());
            if (data != null) {
                sent.add(data);
            }
        }

        @Override
        public void readMore(MuxStream stream) {
            asked.add("read more");
        }

        @Override
        public void consumed(MuxStream stream, int bytes) {
            asked.add("consumed " + bytes);
        }

        @Override
        public void end(MuxStream stream, FrameType farewell, ErrorCode code, String reason) {
            asked.add("end " + farewell + " " + code);
            stream.apply(StreamState.Event.RESET);
        }

        @Override
        public void readCompleteLater(MuxStream stream) {
            asked.add("read complete later");
        }
    };

    private MuxStream accepted() {
        MuxStream s = new MuxStream(parent, 1, 1000, new InboundFlow(ProtocolSettings.defaults(), (id, inc) -> { }).newStream(0));
        s.apply(StreamState.Event.OPENED);
        return s;
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void dataAndFinBeforeAttachAreHeldAndReplayedInOrder() {
        MuxStream s = accepted();
        s.deliver(text("hello "));
        s.deliver(text("world"));
        s.apply(StreamState.Event.FIN_RECEIVED);
        RecordingHandler handler = new RecordingHandler();

        s.attach(handler);

        assertThat(handler.events).containsExactly("data 6", "data 5", "flush", "fin");
        assertThat(handler.text()).isEqualTo("hello world");
        assertThat(asked).containsExactly("read more");
    }

    @Test
    void deliveredDataAsksOnceForAFlushAtTheEndOfTheRead() {
        MuxStream s = accepted();
        RecordingHandler handler = new RecordingHandler();
        s.attach(handler);

        s.deliver(text("a"));
        s.deliver(text("b"));
        s.readComplete();
        s.deliver(text("c"));

        assertThat(handler.events).containsExactly("data 1", "data 1", "flush", "data 1");
        assertThat(asked).containsExactly("read more", "read complete later", "read complete later");
    }

    @Test
    void aStreamClosedBeforeAttachTellsTheLateHandlerAndReleasesWhatItHeld() {
        MuxStream s = accepted();
        ByteBuf held = text("never delivered");
        s.deliver(held);
        s.apply(StreamState.Event.RESET);
        s.ended(ErrorCode.CANCELLED, "reset by peer", true);
        RecordingHandler handler = new RecordingHandler();

        s.attach(handler);

        assertThat(held.refCnt()).isZero();
        assertThat(handler.events).containsExactly("closed CANCELLED: stream ended before it was connected");
    }

    @Test
    void writesGoToTheParentOnlyWhileTheStreamMaySend() {
        MuxStream s = accepted();
        s.write(text("abc"));
        s.write(Unpooled.EMPTY_BUFFER);
        s.shutdownOutput();
        ByteBuf afterFin = text("late");
        s.write(afterFin);
        s.shutdownOutput();

        assertThat(asked).containsExactly("send 3", "fin");
        assertThat(afterFin.refCnt()).isZero();
        sent.forEach(ByteBuf::release);
    }

    @Test
    void aStreamNotOpenedYetDropsWhatIsWritten() {
        MuxStream s = new MuxStream(parent, 0, 1000, new InboundFlow(ProtocolSettings.defaults(), (id, inc) -> { }).newStream(0));
        ByteBuf data = text("too early");

        s.write(data);
        s.open(7, "198.51.100.7:40000", new RecordingHandler());

        assertThat(data.refCnt()).isZero();
        assertThat(asked).containsExactly("open tunnel 7");
        assertThat(s.id()).isEqualTo(5);
    }

    @Test
    void refuseAndResetEndTheStreamOnce() {
        MuxStream refused = accepted();
        refused.refuse(ErrorCode.LOCAL_UNREACHABLE, "no service");
        refused.reset(ErrorCode.CANCELLED);
        MuxStream reset = accepted();
        reset.reset(ErrorCode.CANCELLED);
        reset.refuse(ErrorCode.LOCAL_UNREACHABLE, "no service");

        assertThat(asked).containsExactly("end OPEN_REFUSED LOCAL_UNREACHABLE", "end RESET CANCELLED");
    }

    @Test
    void creditIsReturnedOnlyWhileTheStreamIsOpen() {
        MuxStream s = accepted();
        s.consumed(10);
        s.consumed(0);
        s.apply(StreamState.Event.RESET);
        s.consumed(5);

        assertThat(asked).containsExactly("consumed 10");
    }

    @Test
    void applyReportsTheEventThatClosedTheStream() {
        MuxStream s = accepted();
        RecordingHandler handler = new RecordingHandler();
        s.attach(handler);

        assertThat(s.apply(StreamState.Event.FIN_SENT)).isFalse();
        assertThat(s.apply(StreamState.Event.FIN_RECEIVED)).isTrue();
        assertThat(s.apply(StreamState.Event.RESET)).as("closed already").isFalse();
        assertThat(handler.events).containsExactly("fin");
    }
}
