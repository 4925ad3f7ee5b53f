package dev.homeport.server.peer;

import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.cluster.ClusterSettings;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * The other relays of the cluster as this one sees them over peer links: the pool of links it
 * dials to forward public connections ({@link #forwarding()}), and the listener where the others
 * dial in ({@link #listen}). Built before the registries (the public listeners need the
 * forwarding), listening once they exist (peer streams are served from them).
 */
public final class RelayPeers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayPeers.class);

    private final ClusterSettings cluster;
    private final NetTransport transport;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final ProtocolSettings protocol;
    private final RelayMetrics metrics;
    private final PeerForwarding forwarding;
    private PeerListener listener;

    public RelayPeers(ClusterSettings cluster, NetTransport transport, EventLoopGroup acceptors, EventLoopGroup workers,
                      ProtocolSettings protocol, RelayMetrics metrics) {
        this.cluster = cluster;
        this.transport = transport;
        this.acceptors = acceptors;
        this.workers = workers;
        this.protocol = protocol;
        this.metrics = metrics;
        if (enabled()) {
            PeerSettings peer = cluster.peerLink();
            // metrics.peer() registers the peer meters now, so a dashboard sees 0 rather than no series before the first link.
            PeerLinks links = new PeerLinks(new PeerDialer(transport, workers, peer, protocol, cluster.relayId()), peer, metrics.peer());
            this.forwarding = PeerForwarding.over(cluster.routes(), links, metrics);
        } else {
            if (cluster.clustered()) {
                log.warn("event=peer_link_disabled relay={} reason=\"no peer secret (--peer-secret-file): public connections "
                        + "for clients on other relays are not forwarded\"", cluster.relayId());
            }
            this.forwarding = PeerForwarding.off(metrics);
        }
    }

    /** Whether this relay runs peer links: it is clustered and has the cluster secret. */
    public boolean enabled() {
        return cluster.clustered() && cluster.peerLink().enabled();
    }

    public PeerForwarding forwarding() {
        return forwarding;
    }

    /** Starts taking peer links on {@code --peer-address}, serving their streams from these registries. */
    public void listen(TunnelRegistry ports, HostRegistry hosts) throws InterruptedException {
        if (!enabled()) {
            return;
        }
        PeerSettings peer = cluster.peerLink();
        listener = PeerListener.bind(transport, acceptors, workers, cluster.peerAddress(), peer, protocol, ports, hosts, metrics);
        log.info("event=peer_listening relay={} address={} max_streams_per_link={} handshake_timeout_ms={} max_pending_opens={}",
                cluster.relayId(), listener.address(), peer.maxStreamsPerLink(), peer.handshakeTimeout().toMillis(),
                peer.maxPendingOpens());
    }

    /** Where peer links are taken, or {@code null} when none are. */
    public InetSocketAddress address() {
        return listener == null ? null : listener.address();
    }

    /** No new forwarded streams: the links this relay dialed drain, the others' links stay for their open streams. */
    public void drain() {
        forwarding.drain();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
        forwarding.close();
    }
}
