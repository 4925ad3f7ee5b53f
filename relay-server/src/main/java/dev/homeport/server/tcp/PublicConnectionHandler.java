package dev.homeport.server.tcp;

import dev.homeport.protocol.message.PeerEndpoints;
import dev.homeport.protocol.mux.ChannelStreamBridge;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.mux.StreamTraffic;
import dev.homeport.server.cluster.RemoteRoute;
import dev.homeport.protocol.mux.MuxStream;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.peer.PeerForwarding;
import dev.homeport.server.peer.PeerTarget;
import dev.homeport.server.tunnel.Tunnel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * First handler of an accepted public connection: opens a stream on the session that serves the
 * tunnel and gives the connection to a {@link ChannelStreamBridge}; with no session, or from an
 * address the tunnel's allow list does not admit, closes it. With no session here but a route to
 * another relay of the cluster, the connection is forwarded there.
 */
final class PublicConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PublicConnectionHandler.class);
    private final Tunnel tunnel;
    private final RelayMetrics metrics;
    private final PeerForwarding forwarding;

    PublicConnectionHandler(Tunnel tunnel, RelayMetrics metrics, PeerForwarding forwarding) {
        this.tunnel = tunnel;
        this.metrics = metrics;
        this.forwarding = forwarding;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        MuxSession session = tunnel.nextSession();
        String peer = String.valueOf(ctx.channel().remoteAddress());
        if (session == null) {
            RemoteRoute elsewhere = forwarding.forPort(tunnel.port());
            if (elsewhere != null) {
                // Held here for its client's reconnect, while the client came back through another relay.
                forwarding.forwardConnection(ctx, elsewhere, PeerTarget.port(tunnel.port()), () -> { });
                return;
            }
            log.debug("event=public_rejected {} peer={} reason=\"client offline\"", tunnel, peer);
            ctx.close();
            return;
        }
        if (!tunnel.access().admits(((InetSocketAddress) ctx.channel().remoteAddress()).getAddress())) {
            log.debug("event=public_rejected {} peer={} reason=\"not in the allow list\"", tunnel, peer);
            ctx.close();
            return;
        }
        MuxStream stream = session.newStream();
        ChannelStreamBridge bridge = new ChannelStreamBridge(stream, ctx.channel().eventLoop(), metrics.streamOpened(tunnel));
        stream.open(tunnel.id(), peer, PeerEndpoints.of(ctx.channel().remoteAddress(), ctx.channel().localAddress()), bridge);
        ctx.pipeline().replace(this, "bridge", bridge);
    }
}
