package dev.homeport.server.session;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.handshake.HandshakeFailed;
import dev.homeport.protocol.mux.MuxSession;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a successful handshake into a live session; logs a failed one with the client's address. */
final class SessionInstaller extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SessionInstaller.class);

    private final ControlContext context;

    SessionInstaller(ControlContext context) {
        this.context = context;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeCompleted done) {
            MuxSession mux = new MuxSession(MuxSession.Role.RELAY, context.config().protocol(), done, null);
            ctx.pipeline().addBefore(ctx.name(), "mux", mux);
            ctx.pipeline().replace(this, "bind", new BindRequestHandler(mux, done.principal(), context));
            log.info("event=client_connected session={} principal={} remote={} agent=\"{}\"", done.sessionId(),
                    done.principal(), ctx.channel().remoteAddress(), done.peerAgent());
            context.config().tokens().used(done.principal());
            context.sessions().started(mux, done.principal(), ctx.channel().remoteAddress());
            ctx.channel().closeFuture().addListener(f -> {
                log.info("event=client_disconnected session={} principal={} reason=\"{}\"", done.sessionId(),
                        done.principal(), mux.closeReason());
                context.registry().release(mux);
                context.hosts().release(mux);
                context.sessions().ended(mux);
            });
        } else if (evt instanceof HandshakeFailed failed) {
            if (failed.code() == ErrorCode.CANCELLED) {
                log.debug("event=handshake_abandoned remote={}", failed.remoteAddress());
            } else {
                if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
                    context.limiter().failed(remote.getAddress());
                }
                context.metrics().handshakeFailed(failed.code());
                log.warn("event=handshake_failed remote={} code={} reason=\"{}\"", failed.remoteAddress(),
                        failed.code(), failed.message());
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
