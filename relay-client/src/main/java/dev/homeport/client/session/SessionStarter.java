package dev.homeport.client.session;

import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.handshake.HandshakeFailed;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.transport.NetTransport;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;

import java.util.HashMap;
import java.util.Map;

/** Turns a successful handshake into a session: the multiplexer, the local dialer and the tunnel binder. */
final class SessionStarter extends ChannelInboundHandlerAdapter {
    private final RelayClientConfig config;
    private final NetTransport transport;
    private final SessionObserver observer;
    private final ChannelGroup localConnections;
    private final LocalStreamTap tap;

    SessionStarter(RelayClientConfig config, NetTransport transport, SessionObserver observer, ChannelGroup localConnections,
                   LocalStreamTap tap) {
        this.tap = tap;
        this.config = config;
        this.transport = transport;
        this.observer = observer;
        this.localConnections = localConnections;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeCompleted done) {
            Map<Integer, TunnelSpec> bound = new HashMap<>();
            LocalDialer dialer = new LocalDialer(bound, transport, ctx.channel().eventLoop(), config.connectTimeout(),
                    localConnections, tap);
            MuxSession mux = new MuxSession(MuxSession.Role.CLIENT, config.protocol(), done, dialer);
            ctx.pipeline().addBefore(ctx.name(), "mux", mux);
            observer.established(mux);
            ctx.pipeline().replace(this, "tunnel-binder", new TunnelBinder(mux, config.tunnels(), bound, observer));
        } else if (evt instanceof HandshakeFailed failed) {
            observer.rejected(failed.code(), failed.message());
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
