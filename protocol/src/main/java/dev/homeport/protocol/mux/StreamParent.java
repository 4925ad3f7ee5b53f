package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Open;
import io.netty.buffer.ByteBuf;

/**
 * What a stream sees of its session: the loop it runs on, and the few things only the session can
 * do, because they touch the connection or the credit all streams share. The stream keeps its own
 * state and checks it before it calls these.
 */
interface StreamParent {
    /** Runs {@code task} on the session's loop: at once when called there, else as a task. */
    void run(Runnable task);

    boolean inEventLoop();

    /** Takes the stream's id and queues its OPEN, from any thread. */
    void open(MuxStream stream, Open open, StreamHandler handler);

    /** Queues {@code data} for the peer, or the FIN when {@code data} is null, and paces the stream's source. */
    void send(MuxStream stream, ByteBuf data);

    /** The stream's handler is ready for data from its source: ask for it when pacing allows. */
    void readMore(MuxStream stream);

    /** The handler delivered {@code bytes}: credit goes back to the peer. */
    void consumed(MuxStream stream, int bytes);

    /** This side ends the stream, telling the peer with {@code farewell}: RESET or OPEN_REFUSED. */
    void end(MuxStream stream, FrameType farewell, ErrorCode code, String reason);

    /** The stream handed data to its handler in this read: call {@link MuxStream#readComplete} once it ends. */
    void readCompleteLater(MuxStream stream);
}
