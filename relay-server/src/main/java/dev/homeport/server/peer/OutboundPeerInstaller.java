package dev.homeport.server.peer;

import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.handshake.HandshakeFailed;
import dev.homeport.protocol.mux.GoAwayReceived;
import dev.homeport.protocol.mux.MuxSession;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Promise;

/**
 * The dialing relay's end of a peer link: installs the session once the peer accepted the cluster
 * secret and completes {@code link} with it, or fails {@code link} with the reason. It stays behind
 * the session to hear the peer's GO_AWAY, after which the link takes no new streams.
 */
final class OutboundPeerInstaller extends ChannelInboundHandlerAdapter {
    private final ProtocolSettings settings;
    private final Promise<MuxSession> link;
    private final Runnable goneAway;

    OutboundPeerInstaller(ProtocolSettings settings, Promise<MuxSession> link, Runnable goneAway) {
        this.settings = settings;
        this.link = link;
        this.goneAway = goneAway;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeCompleted done) {
            MuxSession mux = new MuxSession(MuxSession.Role.CLIENT, settings, done, null);
            ctx.pipeline().addBefore(ctx.name(), "mux", mux);
            if (!link.trySuccess(mux)) {
                ctx.close(); // the dial was given up meanwhile
            }
        } else if (evt instanceof HandshakeFailed failed) {
            link.tryFailure(new PeerLinkException(failed.code() + ": " + failed.message()));
        } else if (evt instanceof GoAwayReceived) {
            goneAway.run();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        link.tryFailure(new PeerLinkException("connection closed before the peer link was up"));
        ctx.fireChannelInactive();
    }
}
