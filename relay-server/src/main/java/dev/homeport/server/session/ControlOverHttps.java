package dev.homeport.server.session;

import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.http.ControlUpgrade;
import dev.homeport.server.http.HttpPipeline;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * Client sessions on the public HTTPS port, for clients whose network lets only HTTPS out: a
 * WebSocket upgrade to exactly the control path ({@code --websocket-path}, for any name the port holds a
 * certificate for) becomes a session exactly as on the control port, with the same handshake,
 * deadline and failure throttling. Every other request, that path included, goes to the tunnels.
 */
public final class ControlOverHttps implements ControlUpgrade {
    private static final Logger log = LoggerFactory.getLogger(ControlOverHttps.class);

    private final ControlContext context;
    private final NetTransport transport;

    public ControlOverHttps(ControlContext context, NetTransport transport) {
        this.context = context;
        this.transport = transport;
    }

    @Override
    public boolean claims(HttpRequest request) {
        return HttpMethod.GET.equals(request.method())
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && request.uri().equals(context.config().webSocketPath()); // exactly, as on the control port
    }

    @Override
    public void takeOver(ChannelPipeline pipeline, HttpRequest request) {
        Channel channel = pipeline.channel();
        InetSocketAddress peer = (InetSocketAddress) channel.remoteAddress();
        if (!context.admit(channel)) {
            return; // as on the control port: throttled before the upgrade is answered
        }
        if (!HttpPipeline.handOver(pipeline)) {
            log.debug("event=control_upgrade_refused peer={} reason=\"data before the upgrade was answered\"", peer);
            channel.close();
            return;
        }
        log.debug("event=control_over_https peer={}", peer);
        transport.configureSessionSocket(channel);
        WebSocketSession.addLast(pipeline, context);
        // The public decoder already parsed the upgrade request (an upgrade has no body): the
        // WebSocket handlers get it whole, after the HTTP codec that would have decoded it.
        pipeline.context(WebSocketSession.HTTP_CODEC).fireChannelRead(new DefaultFullHttpRequest(request.protocolVersion(),
                request.method(), request.uri(), Unpooled.EMPTY_BUFFER, new DefaultHttpHeaders().set(request.headers()),
                new DefaultHttpHeaders()));
        channel.config().setAutoRead(true);
    }
}
