package dev.homeport.server.https;

import dev.homeport.server.http.HttpPipeline;
import dev.homeport.server.cluster.RemoteRoute;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.peer.PeerForwarding;
import dev.homeport.server.peer.PeerTarget;
import dev.homeport.server.passthrough.PassthroughHandoff;
import dev.homeport.server.tls.ServerCertificates;
import dev.homeport.server.tls.ServerNameSniffer;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.Tunnel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a public TLS connection goes once its server name is known: a TLS tunnel's name passes
 * through unopened; a name the relay holds a certificate for gets TLS ended here and the HTTP
 * handlers behind it (Host must then equal the name); anything else is closed. A TLS tunnel
 * another relay of the cluster serves passes through to that relay over the peer link. There is no default
 * certificate, so a scan of the relay's address learns no name from it.
 */
final class ServerNameRouter implements ServerNameSniffer.Route {
    private static final Logger log = LoggerFactory.getLogger(ServerNameRouter.class);

    private final ServerCertificates certificates;
    private final HostRegistry hosts;
    private final RelayMetrics metrics;
    private final PeerForwarding forwarding;

    ServerNameRouter(ServerCertificates certificates, HostRegistry hosts, RelayMetrics metrics, PeerForwarding forwarding) {
        this.forwarding = forwarding;
        this.certificates = certificates;
        this.hosts = hosts;
        this.metrics = metrics;
    }

    @Override
    public void route(ChannelHandlerContext sniffer, String serverName) {
        Tunnel tunnel = hosts.route(serverName);
        RemoteRoute elsewhere = tunnel == null || (tunnel.passthrough() && tunnel.session() == null)
                ? forwarding.forTlsHost(serverName) : null;
        if (elsewhere != null) {
            // Another relay holds the TLS tunnel's client: the connection passes through to it, unopened here too.
            forwarding.forwardConnection(sniffer, elsewhere, PeerTarget.tls(serverName), () -> HttpPipeline.removeHandlers(sniffer.pipeline()));
            return;
        }
        if (tunnel != null && tunnel.passthrough()) {
            PassthroughHandoff.handOver(sniffer, tunnel, metrics);
            return;
        }
        SslContext context = certificates.forHostname(serverName);
        if (context == null) {
            log.debug("event=https_refused peer={} server_name={} reason=\"no certificate for the name\"",
                    sniffer.channel().remoteAddress(), serverName);
            sniffer.close();
            return;
        }
        ChannelPipeline pipeline = sniffer.pipeline();
        HttpPipeline.expectServerName(pipeline, serverName);
        pipeline.addAfter(sniffer.name(), "tls", context.newHandler(sniffer.alloc()));
        pipeline.remove(sniffer.handler()); // the held bytes, the ClientHello first, go to the TLS handler
    }
}
