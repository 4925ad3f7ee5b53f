package dev.homeport.server.session;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.transport.WebSocketFrameAdapter;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.HandshakeRateLimiter;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

import java.util.List;

/**
 * One control port, two ways in: a session frame starts with the protocol version byte (1), an
 * HTTP request with a letter. The first byte decides; the WebSocket handlers are added only for HTTP.
 */
final class TransportSniffer extends ByteToMessageDecoder {
    /** An upgrade request carries a few headers; a request this large is not one. */
    static final int MAX_UPGRADE_REQUEST_BYTES = 8 * 1024;

    private final RelayServerConfig config;
    private final TunnelRegistry registry;
    private final SessionListener sessions;
    private final HandshakeRateLimiter limiter;

    TransportSniffer(RelayServerConfig config, TunnelRegistry registry, SessionListener sessions, HandshakeRateLimiter limiter) {
        this.config = config;
        this.registry = registry;
        this.sessions = sessions;
        this.limiter = limiter;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        if (in.getUnsignedByte(in.readerIndex()) != Frame.VERSION) {
            WebSocketServerProtocolConfig ws = WebSocketServerProtocolConfig.newBuilder()
                    .websocketPath(config.webSocketPath())
                    .checkStartsWith(false)
                    .maxFramePayloadLength(config.protocol().maxFramePayload() + Frame.HEADER_LENGTH)
                    .handshakeTimeoutMillis(config.protocol().handshakeTimeout().toMillis())
                    .build();
            p.addLast("http-codec", new HttpServerCodec(4096, MAX_UPGRADE_REQUEST_BYTES, 8192))
                    .addLast("http-aggregator", new HttpObjectAggregator(MAX_UPGRADE_REQUEST_BYTES))
                    .addLast("websocket", new WebSocketServerProtocolHandler(ws))
                    .addLast("websocket-path-guard", new WebSocketPathGuard())
                    .addLast("websocket-frames", new WebSocketFrameAdapter());
        }
        SessionPipeline.addLast(p, config, registry, sessions, limiter);
        p.remove(this);
    }
}
