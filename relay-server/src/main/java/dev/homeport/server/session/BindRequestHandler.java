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
import dev.homeport.server.process.OutOfMemoryExit;
import dev.homeport.server.tunnel.BindOutcome;
import dev.homeport.server.tunnel.Claimant;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.Tunnel;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Answers a client's BIND requests from the tunnel registry (ports) or the host registry (HTTP); the last
 * handler of a session. A session is granted at most {@code --max-tunnels-per-session} tunnels; its
 * first {@link #LOGGED_REFUSALS} refusals are logged, the rest only counted, so that a client that
 * asks again and again cannot fill the log.
 */
final class BindRequestHandler extends SimpleChannelInboundHandler<Frame> {
    private static final Logger log = LoggerFactory.getLogger(BindRequestHandler.class);
    static final int LOGGED_REFUSALS = 20;

    private final MuxSession session;
    private final String principal;
    private final RelayServerConfig config;
    private final TunnelRegistry registry;
    private final HostRegistry hosts;
    private final int maxTunnels;
    /** Tunnels granted to this session, and BINDs on their way to a registry; on the session's loop. */
    private int granted;
    private int inFlight;
    private long refusals;

    BindRequestHandler(MuxSession session, String principal, ControlContext context) {
        this.session = session;
        this.principal = principal;
        this.config = context.config();
        this.registry = context.registry();
        this.hosts = context.hosts();
        this.maxTunnels = config.tenants().maxTunnelsPerSession();
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
        if (granted + inFlight >= maxTunnels) {
            refused(ctx, bind, ErrorCode.BIND_DENIED, "this session holds " + granted + " tunnels and has " + inFlight
                    + " more BINDs in progress: at most " + maxTunnels + " per session on this relay (--max-tunnels-per-session)");
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
        Claimant who = new Claimant(session, bind.instance(), bind.connection(), bind.pool());
        CompletableFuture<BindOutcome> pending = bind.kind() == Bind.KIND_TCP
                ? registry.bind(who, principal, rights, bind.port(), bind.name(), access)
                : hosts.bind(who, principal, rights, bind.hostname(), bind.name(), bind.kind() == Bind.KIND_TLS, access);
        inFlight++;
        pending.whenCompleteAsync((outcome, error) -> {
            inFlight--;
            if (error != null) {
                OutOfMemoryExit.ifOutOfMemory(error);
                log.warn("event=bind_failed session={} port={} host={}", session.id(), bind.port(), bind.hostname(), error);
                reply(ctx, new BindRefused(bind.requestId(), ErrorCode.INTERNAL_ERROR, "relay could not bind: " + error));
            } else if (outcome.isGranted()) {
                Tunnel t = outcome.tunnel();
                granted++;
                log.info("event=tunnel_access {} {}", t, access);
                CompletableFuture<Boolean> certificate = outcome.certificate();
                Duration wait = config.acme() == null ? Duration.ZERO : config.acme().bindWait();
                if (certificate.isDone() || wait.isZero()) {
                    bound(ctx, bind, t);
                } else {
                    // A first certificate is being ordered: the URL told now is the one served from now on.
                    log.info("event=bind_awaits_certificate {} wait_s={}", t, wait.toMillis() / 1000.0);
                    certificate.copy().completeOnTimeout(false, wait.toMillis(), TimeUnit.MILLISECONDS)
                            .whenCompleteAsync((held, e) -> bound(ctx, bind, t), ctx.executor());
                }
            } else {
                refused(ctx, bind, outcome.refusal(), outcome.message());
            }
        }, ctx.executor());
    }

    private void bound(ChannelHandlerContext ctx, Bind bind, Tunnel t) {
        String address = t.hostname().isEmpty() ? config.publicHost() : hosts.publicUrl(t);
        if (t.session() == session) { // after a wait, another session of the token may hold it by now
            t.announced(address);
        }
        reply(ctx, new BindOk(bind.requestId(), t.id(), t.port(), address));
    }

    private void refused(ChannelHandlerContext ctx, Bind bind, ErrorCode code, String message) {
        refusals++;
        if (refusals <= LOGGED_REFUSALS) {
            log.info("event=bind_refused session={} principal={} port={} host={} code={} reason=\"{}\"", session.id(),
                    principal, bind.port(), bind.hostname(), code, message);
        } else if (refusals == LOGGED_REFUSALS + 1) {
            log.info("event=bind_refusals_not_logged session={} principal={} after={}", session.id(), principal, LOGGED_REFUSALS);
        }
        reply(ctx, new BindRefused(bind.requestId(), code, message));
    }

    private void reply(ChannelHandlerContext ctx, ControlMessage message) {
        ctx.writeAndFlush(message.toFrame(ctx.alloc()));
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
