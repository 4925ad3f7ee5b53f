package dev.homeport.server.session;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.handshake.HandshakeFailed;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.message.GoAway;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a successful handshake into a live session; logs a failed one with the client's address. */
final class SessionInstaller extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SessionInstaller.class);

    private final ControlContext context;

    SessionInstaller(ControlContext context) {
        this.context = context;
    }

    /**
     * The token holds {@code --max-sessions-per-token} sessions already: GO_AWAY SESSION_LIMIT and
     * close, without waiting past the handshake timeout for a peer that does not read it.
     */
    private void refuse(ChannelHandlerContext ctx, HandshakeCompleted done) {
        int max = context.sessionsPerToken().max();
        log.warn("event=session_refused session={} principal={} remote={} reason=session_limit max_sessions_per_token={}",
                done.sessionId(), done.principal(), ctx.channel().remoteAddress(), max);
        context.metrics().sessionRefused(ctx.channel().remoteAddress());
        ctx.writeAndFlush(new GoAway(ErrorCode.SESSION_LIMIT, "token " + done.principal() + " already has " + max
                + " sessions, the most one token may on this relay (--max-sessions-per-token)").toFrame(ctx.alloc()))
                .addListener(ChannelFutureListener.CLOSE);
        ctx.executor().schedule(() -> ctx.close(), context.config().protocol().handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeCompleted done) {
            if (!context.sessionsPerToken().tryTake(done.principal())) {
                refuse(ctx, done);
                return;
            }
            ctx.channel().closeFuture().addListener(f -> context.sessionsPerToken().give(done.principal()));
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
                context.metrics().handshakeFailed(failed.code(), ctx.channel().remoteAddress());
                log.warn("event=handshake_failed remote={} code={} reason=\"{}\"", failed.remoteAddress(),
                        failed.code(), failed.message());
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
