package dev.homeport.client.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;

import java.util.function.Consumer;

/** Adds the session handlers once the WebSocket upgrade is done, so HELLO is the first message inside it. */
final class WebSocketReady extends ChannelInboundHandlerAdapter {
    private final Consumer<ChannelPipeline> addSession;

    WebSocketReady(Consumer<ChannelPipeline> addSession) {
        this.addSession = addSession;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            ChannelPipeline p = ctx.pipeline();
            p.remove(this);
            addSession.accept(p);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
