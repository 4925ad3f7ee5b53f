package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;

/**
 * The far end of a stream inside this process (a public socket on the relay, a local socket on the
 * client). The session calls these on its event loop; an implementation on another loop hops.
 */
public interface StreamHandler {
    /** Payload from the peer; the handler owns {@code data} and calls {@link MuxStream#consumed} once it is delivered. */
    void onData(ByteBuf data);

    /** The session finished a read burst: a good moment to flush what {@link #onData} wrote. */
    void onFlush();

    /** The peer will send no more data on this stream (FIN); data already delivered stays valid. */
    void onRemoteFin();

    /** The stream ended abnormally: reset or refused by the peer, or the session closed. */
    void onClosed(ErrorCode code, String reason);

    /** The stream can take more data from {@link MuxStream#write}: read the next chunk from the source. */
    void onWritable();
}
