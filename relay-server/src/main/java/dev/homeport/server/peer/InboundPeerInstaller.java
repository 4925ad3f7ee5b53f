package dev.homeport.server.peer;

import dev.homeport.cli.logging.LogValue;
import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.handshake.HandshakeFailed;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Turns an authenticated peer link into a session whose streams the dialing relay opens, each
 * for a public connection it forwards here ({@link PeerStreamAcceptor}); logs a refused one.
 */
final class InboundPeerInstaller extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(InboundPeerInstaller.class);

    private final ProtocolSettings settings;
    private final TunnelRegistry ports;
    private final HostRegistry hosts;
    private final RelayMetrics metrics;
    private final Consumer<MuxSession> started;

    /** @param started told each link once its session is installed, so the relay can end it at shutdown */
    InboundPeerInstaller(ProtocolSettings settings, TunnelRegistry ports, HostRegistry hosts, RelayMetrics metrics,
                         Consumer<MuxSession> started) {
        this.settings = settings;
        this.ports = ports;
        this.hosts = hosts;
        this.metrics = metrics;
        this.started = started;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeCompleted done) {
            String relayId = PeerIdentity.relayIdOf(done.peerAgent());
            if (relayId == null) {
                // The secret was right but the agent is not a relay's: a client configured with the cluster secret.
                metrics.peer().linkRefused("not_a_relay");
                log.warn("event=peer_refused remote={} reason=\"not a relay\" agent={}", ctx.channel().remoteAddress(),
                        LogValue.of(done.peerAgent()));
                ctx.writeAndFlush(new GoAway(ErrorCode.AUTH_FAILED, "peer links are for relays of the cluster").toFrame(ctx.alloc()))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            MuxSession mux = new MuxSession(MuxSession.Role.RELAY, settings, done, new PeerStreamAcceptor(relayId, ctx.channel().eventLoop(), ports, hosts, metrics));
            ctx.pipeline().addBefore(ctx.name(), "mux", mux);
            ctx.pipeline().remove(this);
            Runnable down = metrics.peer().linkUp(false);
            log.info("event=peer_connected direction=inbound principal={} session={} remote={}", PeerIdentity.principal(relayId),
                    done.sessionId(), ctx.channel().remoteAddress());
            started.accept(mux);
            ctx.channel().closeFuture().addListener(f -> {
                down.run();
                log.info("event=peer_disconnected direction=inbound principal={} session={} reason=\"{}\"",
                        PeerIdentity.principal(relayId), done.sessionId(), mux.closeReason());
            });
        } else if (evt instanceof HandshakeFailed failed) {
            if (failed.code() == ErrorCode.CANCELLED) {
                log.debug("event=peer_handshake_abandoned remote={}", failed.remoteAddress());
                return;
            }
            metrics.peer().linkRefused(failed.code().name().toLowerCase(Locale.ROOT));
            log.warn("event=peer_refused remote={} code={} reason=\"{}\"", failed.remoteAddress(), failed.code(),
                    failed.code() == ErrorCode.AUTH_FAILED ? "wrong peer secret (--peer-secret-file differs between relays)"
                            : failed.message());
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
