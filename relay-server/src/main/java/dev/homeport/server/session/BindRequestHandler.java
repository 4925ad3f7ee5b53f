package dev.homeport.server.session;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.BindOk;
import dev.homeport.protocol.message.BindRefused;
import dev.homeport.protocol.message.ControlMessage;
import dev.homeport.protocol.mux.GoAwayReceived;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.tunnel.BindOutcome;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.Tunnel;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;

/** Answers a client's BIND requests from the tunnel registry (ports) or the host registry (HTTP); the last handler of a session. */
final class BindRequestHandler extends SimpleChannelInboundHandler<Frame> {
    private static final Logger log = LoggerFactory.getLogger(BindRequestHandler.class);

    private final MuxSession session;
    private final String principal;
    private final RelayServerConfig config;
    private final TunnelRegistry registry;
    private final HostRegistry hosts;

    BindRequestHandler(MuxSession session, String principal, ControlContext context) {
        this.session = session;
        this.principal = principal;
        this.config = context.config();
        this.registry = context.registry();
        this.hosts = context.hosts();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() != FrameType.BIND) {
            session.close(ErrorCode.PROTOCOL_ERROR, frame.type() + " is sent by the relay, not the client");
            return;
        }
        Bind bind = Bind.decode(frame.payload());
        if (bind.kind() != Bind.KIND_TCP && bind.kind() != Bind.KIND_HTTP && bind.kind() != Bind.KIND_TLS) {
            reply(ctx, new BindRefused(bind.requestId(), ErrorCode.BIND_DENIED,
                    "tunnel kind " + bind.kind() + " is not supported by this relay"));
            return;
        }
        TokenRights rights = config.tokens().rights(principal);
        if (rights == null) {
            reply(ctx, new BindRefused(bind.requestId(), ErrorCode.BIND_DENIED, "token " + principal + " is no longer valid"));
            return;
        }
        AccessPolicy access;
        try {
            access = AccessPolicy.of(bind);
        } catch (IllegalArgumentException e) {
            reply(ctx, new BindRefused(bind.requestId(), ErrorCode.BIND_DENIED, e.getMessage()));
            return;
        }
        CompletableFuture<BindOutcome> pending = bind.kind() == Bind.KIND_TCP
                ? registry.bind(session, principal, rights, bind.port(), bind.name(), access)
                : hosts.bind(session, principal, rights, bind.hostname(), bind.name(), bind.kind() == Bind.KIND_TLS, access);
        pending.whenComplete((outcome, error) -> {
            if (error != null) {
                log.warn("event=bind_failed session={} port={} host={}", session.id(), bind.port(), bind.hostname(), error);
                reply(ctx, new BindRefused(bind.requestId(), ErrorCode.INTERNAL_ERROR, "relay could not bind: " + error));
            } else if (outcome.isGranted()) {
                Tunnel t = outcome.tunnel();
                log.info("event=tunnel_access {} {}", t, access);
                reply(ctx, new BindOk(bind.requestId(), t.id(), t.port(),
                        t.hostname().isEmpty() ? config.publicHost() : hosts.publicUrl(t)));
            } else {
                log.info("event=bind_refused session={} principal={} port={} host={} code={} reason=\"{}\"", session.id(),
                        principal, bind.port(), bind.hostname(), outcome.refusal(), outcome.message());
                reply(ctx, new BindRefused(bind.requestId(), outcome.refusal(), outcome.message()));
            }
        });
    }

    private void reply(ChannelHandlerContext ctx, ControlMessage message) {
        ctx.executor().execute(() -> ctx.writeAndFlush(message.toFrame(ctx.alloc())));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof GoAwayReceived goAway) {
            log.info("event=client_going_away session={} reason=\"{}\"", session.id(), goAway.message());
            // The session drains its open streams and closes itself (PROTOCOL.md, "GO_AWAY").
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
