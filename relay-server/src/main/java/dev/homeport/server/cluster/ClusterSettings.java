package dev.homeport.server.cluster;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * How this relay takes part in a cluster. {@link #ALONE} (the default): one relay, no registry, no peers.
 *
 * @param relayId     this relay's id in the cluster; empty when alone
 * @param peerAddress where this relay accepts peer links from other relays ({@code --peer-address}), or {@code null}
 * @param routes      the names other relays serve
 */
public record ClusterSettings(String relayId, InetSocketAddress peerAddress, PeerRoutes routes) {
    public static final ClusterSettings ALONE = new ClusterSettings("", null, PeerRoutes.NONE);

    public ClusterSettings {
        relayId = relayId == null ? "" : relayId;
        routes = Objects.requireNonNullElse(routes, PeerRoutes.NONE);
    }

    public boolean clustered() {
        return peerAddress != null;
    }
}
