package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Open;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * The parent of a stream that only receives, for tests of what the peer's frames do to it: it
 * records the streams that asked for a read-complete call and fails on anything a sending stream asks.
 */
final class ReceivingParent implements StreamParent {
    /** Ids of the streams that asked for {@link MuxStream#readComplete}, in order. */
    final List<Integer> readCompleteAsked = new ArrayList<>();

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
        throw new AssertionError("a receiving stream does not open");
    }

    @Override
    public void send(MuxStream stream, ByteBuf data) {
        throw new AssertionError("a receiving stream does not send");
    }

    @Override
    public void readMore(MuxStream stream) {
    }

    @Override
    public void consumed(MuxStream stream, int bytes) {
        throw new AssertionError("a receiving stream's handler here reports nothing delivered");
    }

    @Override
    public void end(MuxStream stream, FrameType farewell, ErrorCode code, String reason) {
        throw new AssertionError("a receiving stream is not ended here");
    }

    @Override
    public void readCompleteLater(MuxStream stream) {
        readCompleteAsked.add(stream.id());
    }
}
