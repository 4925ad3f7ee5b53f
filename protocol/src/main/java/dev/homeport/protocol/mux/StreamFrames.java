package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
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
    private final SessionStreams streams;
    private final InboundFlow inbound;
    private volatile long bytesReceived;

    StreamFrames(SessionStreams streams) {
        this.streams = streams;
        this.inbound = streams.inbound();
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
            streams.sender().sessionGranted(increment);
            return;
        }
        MuxStream s = known(frame);
        if (s != null) {
            streams.sender().streamGranted(s, increment);
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
            streams.forget(s, ErrorCode.NO_ERROR, "finished", false);
        }
    }

    void onReset(Frame frame) {
        ErrorCode code = Frames.resetCode(frame);
        MuxStream s = known(frame);
        if (s != null) {
            streams.closeStream(s, code, "reset by peer: " + code.description(), true);
        }
    }

    void onOpenRefused(Frame frame) {
        OpenRefused refused = OpenRefused.decode(frame.payload());
        MuxStream s = known(frame);
        if (s != null) {
            streams.closeStream(s, refused.code(), refused.message(), true);
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
