package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Frames;
import dev.homeport.protocol.message.OpenRefused;
import io.netty.buffer.ByteBuf;

/**
 * The peer's frames for streams already open (PROTOCOL.md, "Streams" and "Flow control"): DATA
 * checked against both windows, WINDOW_UPDATE, FIN, RESET and OPEN_REFUSED, each applied to its
 * stream. A frame for a stream closed here is dropped; one for an id never opened is a session
 * error. On the session's loop, except {@link #bytesReceived}.
 */
final class StreamFrames {
    /** The open streams, as the peer's frames change them. */
    interface Streams {
        /** The open stream of {@code id}, or null for one closed here or never opened. */
        MuxStream get(int id);

        /** A frame for an id not open here: fine for a stream closed here, a session error for one never opened. */
        void requireKnown(int id, FrameType type);

        /** The peer broke a stream's rules: RESET goes out, and the handler is told. */
        void resetStream(MuxStream s, ErrorCode code, String reason);

        /** The peer ended the stream (RESET, OPEN_REFUSED): the handler is told. */
        void closedByPeer(MuxStream s, ErrorCode code, String reason);

        /** The peer's FIN closed a stream whose FIN went out before: it is done. */
        void finished(MuxStream s);
    }

    private final Streams streams;
    private final InboundFlow inbound;
    private final StreamSender sender;
    private volatile long bytesReceived;

    StreamFrames(Streams streams, InboundFlow inbound, StreamSender sender) {
        this.streams = streams;
        this.inbound = inbound;
        this.sender = sender;
    }

    /** DATA payload bytes received on all streams; readable from any thread. */
    long bytesReceived() {
        return bytesReceived;
    }

    void onData(Frame frame) {
        int id = frame.streamId();
        ByteBuf payload = frame.payload();
        int n = payload.readableBytes();
        bytesReceived += n;
        inbound.received(n);
        MuxStream s = streams.get(id);
        if (s == null) {
            streams.requireKnown(id, frame.type());
            inbound.dropped(n);
            return; // closed here while the peer was still sending: dropped, as in HTTP/2
        }
        inbound.received(s.receive, id, n);
        if (!s.state().peerMaySend()) {
            inbound.dropped(n);
            streams.resetStream(s, ErrorCode.STREAM_CLOSED, "DATA after FIN");
            return;
        }
        if (n > 0) {
            s.receive.held(n);
            s.deliver(payload.retain());
        }
    }

    void onWindowUpdate(Frame frame) {
        int increment = Frames.windowIncrement(frame);
        if (frame.streamId() == 0) {
            sender.sessionGranted(increment);
            return;
        }
        MuxStream s = known(frame);
        if (s != null) {
            sender.streamGranted(s, increment);
        }
    }

    void onFin(Frame frame) {
        MuxStream s = known(frame);
        if (s == null) {
            return;
        }
        if (!s.state().peerMaySend()) {
            streams.resetStream(s, ErrorCode.STREAM_CLOSED, "second FIN");
        } else if (s.apply(StreamState.Event.FIN_RECEIVED)) {
            streams.finished(s);
        }
    }

    void onReset(Frame frame) {
        ErrorCode code = Frames.resetCode(frame);
        MuxStream s = known(frame);
        if (s != null) {
            streams.closedByPeer(s, code, "reset by peer: " + code.description());
        }
    }

    void onOpenRefused(Frame frame) {
        OpenRefused refused = OpenRefused.decode(frame.payload());
        MuxStream s = known(frame);
        if (s != null) {
            streams.closedByPeer(s, refused.code(), refused.message());
        }
    }

    /** The open stream a frame is for, or null for one closed here (the frame is dropped). */
    private MuxStream known(Frame frame) {
        MuxStream s = streams.get(frame.streamId());
        if (s == null) {
            streams.requireKnown(frame.streamId(), frame.type());
        }
        return s;
    }
}
