package dev.homeport.server.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The relay's own way in on a public port: a client that may reach the relay only by HTTPS asks
 * there for a WebSocket at the control path, and the connection becomes its session instead of a
 * request to a tunnel. {@link HostRouter} asks {@link #claims} of the first request of each
 * connection, before it looks the host up, so no tunnel can shadow the path.
 */
public interface ControlUpgrade {
    /** Whether {@code request}, the first on its connection, is a client's WebSocket upgrade to the relay. */
    boolean claims(HttpRequest request);

    /**
     * Turns the connection into a client session, on its event loop, after the read that brought
     * {@code request}. The HTTP handlers are still in the pipeline; this takes them out.
     */
    void takeOver(ChannelPipeline pipeline, HttpRequest request);
}
