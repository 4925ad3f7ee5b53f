package dev.homeport.protocol.mux;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;

import java.util.function.Consumer;

/**
 * Frames the streams' data for the peer (PROTOCOL.md, "Fair sending"): the {@link SendScheduler}
 * picks whose turn it is, {@link OutboundFlow} bounds the bytes and paces the sources, and this
 * writes the frames while the connection is writable. On the session's loop only.
 */
final class StreamSender {
    /** Where the frames go: the session's connection. */
    interface Output {
        /** Writes a stream's frame; the caller flushes later. */
        void write(Frame frame);

        /** Whether the connection takes more now (below its write-buffer high mark). */
        boolean isWritable();
    }

    private final OutboundFlow flow;
    private final SendScheduler scheduler;
    private final Runnable scheduleFlush;
    private final Consumer<MuxStream> finished;
    private final SendScheduler.Writer frameWriter = this::writeFrame;
    private Output out;
    /** A DATA or FIN frame was written in the current {@link #writeReady}. */
    private boolean framed;
    private volatile long bytesSent;

    /**
     * @param scheduleFlush asks for a {@link #writeReady} at the end of this loop turn
     * @param finished      hears a stream whose FIN just went out after the peer's: it is done
     */
    StreamSender(int peerMaxFramePayload, SendScheduler scheduler, Runnable scheduleFlush, Consumer<MuxStream> finished) {
        this.flow = new OutboundFlow(4 * peerMaxFramePayload, q -> q.stream().handler().onWritable());
        this.scheduler = scheduler;
        this.scheduleFlush = scheduleFlush;
        this.finished = finished;
    }

    void bind(Output out) {
        this.out = out;
    }

    /** Queues a handler's {@code data}, or the FIN when null, and paces the stream's source. */
    void send(MuxStream s, ByteBuf data) {
        if (data != null) {
            flow.add(s.send, data);
            schedule(s);
            flow.requestRead(s.send);
        } else {
            schedule(s);
        }
    }

    /** Asks the stream's source for data when pacing allows (the stream opened, or its handler attached). */
    void readMore(MuxStream s) {
        flow.requestRead(s.send);
    }

    /** The peer's WINDOW_UPDATE for one stream. */
    void streamGranted(MuxStream s, int increment) {
        s.send.grant(increment);
        schedule(s);
        flow.maybeResumeReading(s.send);
    }

    /** The peer's WINDOW_UPDATE for the session. */
    void sessionGranted(int increment) {
        flow.grant(increment);
        scheduleFlush.run();
    }

    /**
     * A stream ended: its unsent data is dropped.
     *
     * @param resumeOthers whether dropped bytes ask for a {@link #writeReady}, which lets streams
     *                     paused for the session read again
     */
    void discard(MuxStream s, boolean resumeOthers) {
        if (flow.discard(s.send) > 0 && resumeOthers) {
            scheduleFlush.run();
        }
    }

    /** Writes streams' frames while the connection takes them. @return whether any was written */
    boolean writeReady() {
        framed = false;
        if (out.isWritable()) {
            scheduler.distribute(flow.credit(), frameWriter);
        }
        flow.resumePaused();
        return framed;
    }

    /** The session ended: no stream waits for a turn any more. */
    void clear() {
        scheduler.clear();
    }

    long pendingBytes() {
        return flow.pendingBytes();
    }

    long bytesSent() {
        return bytesSent;
    }

    private void schedule(MuxStream s) {
        if (scheduler.update(s.send)) {
            scheduleFlush.run();
        }
    }

    /** One turn of a stream: a DATA frame of {@code bytes}, or its FIN. */
    private boolean writeFrame(SendQueue queue, int bytes) {
        MuxStream s = queue.stream();
        if (bytes > 0) {
            out.write(Frame.data(s.id(), flow.take(queue, bytes)));
            bytesSent += bytes;
        } else {
            queue.takeFin();
            out.write(Frame.empty(FrameType.FIN, s.id()));
        }
        framed = true;
        flow.maybeResumeReading(queue);
        if (bytes == 0 && s.apply(StreamState.Event.FIN_SENT)) {
            finished.accept(s);
        }
        return out.isWritable();
    }
}
