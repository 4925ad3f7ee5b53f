package dev.homeport.server.passthrough;

import dev.homeport.protocol.message.PeerEndpoints;
import dev.homeport.protocol.mux.ChannelStreamBridge;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.mux.MuxStream;
import dev.homeport.server.http.HttpPipeline;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.tunnel.Tunnel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * Gives a public TLS connection, unopened, to a TLS tunnel: the connection becomes a stream, and
 * every byte it sent, the ClientHello first, goes to the home service, whose own certificate the
 * public client then sees. The relay reads nothing more of it. With the tunnel offline, or from an
 * address its allow list does not admit, the connection is closed.
 */
public final class PassthroughHandoff {
    private static final Logger log = LoggerFactory.getLogger(PassthroughHandoff.class);

    private PassthroughHandoff() {
    }

    /** @param sniffer the handler holding the connection's first bytes; removed here, so they flow into the stream */
    public static void handOver(ChannelHandlerContext sniffer, Tunnel tunnel, RelayMetrics metrics) {
        Channel channel = sniffer.channel();
        InetSocketAddress peer = (InetSocketAddress) channel.remoteAddress();
        MuxSession session = tunnel.nextSession();
        if (session == null) {
            log.debug("event=tls_rejected {} peer={} reason=\"client offline\"", tunnel, peer);
            sniffer.close();
            return;
        }
        if (!tunnel.access().admits(peer.getAddress())) {
            log.debug("event=tls_rejected {} peer={} reason=\"not in the allow list\"", tunnel, peer);
            sniffer.close();
            return;
        }
        HttpPipeline.removeHandlers(channel.pipeline());
        MuxStream stream = session.newStream();
        ChannelStreamBridge bridge = new ChannelStreamBridge(stream, channel.eventLoop(), metrics.streamOpened(tunnel));
        stream.open(tunnel.id(), String.valueOf(peer), PeerEndpoints.of(peer, channel.localAddress()), bridge);
        channel.pipeline().addLast("bridge", bridge);
        log.debug("event=tls_stream_open {} stream={} peer={}", tunnel, stream.id(), peer);
        // After the OPEN the session queued: with both on one loop, data written now could overtake it.
        sniffer.executor().execute(() -> {
            if (!sniffer.isRemoved()) {
                channel.pipeline().remove(sniffer.handler());
            }
        });
    }
}
