package dev.homeport.server.tcp;

import dev.homeport.server.cluster.RemoteRoute;
import dev.homeport.server.peer.PeerForwarding;
import dev.homeport.server.peer.PeerTarget;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of a public connection to a port whose client another relay of the cluster holds:
 * forwards it over the peer link to that relay, or closes it when no relay serves the port (any
 * more) or its allow list does not admit the address.
 */
final class ForwardedConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ForwardedConnectionHandler.class);
    private final int port;
    private final PeerForwarding forwarding;

    ForwardedConnectionHandler(int port, PeerForwarding forwarding) {
        this.port = port;
        this.forwarding = forwarding;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        RemoteRoute route = forwarding.forPort(port);
        if (route == null) {
            log.debug("event=public_rejected port={} peer={} reason=\"no relay serves the port\"", port, ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        forwarding.forwardConnection(ctx, route, PeerTarget.port(port), () -> { });
    }
}
