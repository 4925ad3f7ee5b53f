package dev.homeport.server.session;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.transport.QuickAck;
import dev.homeport.protocol.transport.WebSocketFrameAdapter;
import dev.homeport.server.RelayServerConfig;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * The handlers that carry a session in WebSocket binary messages, the same on the control port and
 * on the public HTTPS port: the upgrade at {@link RelayServerConfig#webSocketPath()} (any other
 * request gets 404), then frames in and out of messages. The session's own handlers follow.
 */
final class WebSocketSession {
    /** An upgrade request carries a few headers; a request this large is not one. */
    static final int MAX_UPGRADE_REQUEST_BYTES = 8 * 1024;
    /** The name of the HTTP codec, the first handler added; a request already decoded elsewhere is handed in after it. */
    static final String HTTP_CODEC = "http-codec";

    private WebSocketSession() {
    }

    static void addLast(ChannelPipeline pipeline, ControlContext context) {
        RelayServerConfig config = context.config();
        WebSocketServerProtocolConfig ws = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(config.webSocketPath())
                .checkStartsWith(false)
                .maxFramePayloadLength(config.protocol().maxFramePayload() + Frame.HEADER_LENGTH)
                .handshakeTimeoutMillis(config.protocol().handshakeTimeout().toMillis())
                .build();
        // A WebSocket client is the one likely to come through an HTTP proxy with Nagle on (see QuickAck).
        pipeline.addFirst("quick-ack", QuickAck.INSTANCE);
        pipeline.addLast(HTTP_CODEC, new HttpServerCodec(4096, MAX_UPGRADE_REQUEST_BYTES, 8192))
                .addLast("http-aggregator", new HttpObjectAggregator(MAX_UPGRADE_REQUEST_BYTES))
                .addLast("websocket", new WebSocketServerProtocolHandler(ws))
                .addLast("websocket-path-guard", new WebSocketPathGuard())
                .addLast("websocket-frames", new WebSocketFrameAdapter());
        SessionPipeline.addLast(pipeline, context);
    }
}
