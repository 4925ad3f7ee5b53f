package dev.homeport.server.cluster;

import dev.homeport.server.peer.PeerSettings;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * How this relay takes part in a cluster. {@link #ALONE} (the default): one relay, no registry, no peers.
 *
 * @param relayId     this relay's id in the cluster; empty when alone
 * @param peerAddress where this relay accepts peer links from other relays ({@code --peer-address}), or {@code null}
 * @param routes      the names other relays serve
 * @param peerLink    the peer links' secret and limits ({@code --peer-secret-file}); without a secret no peer link runs
 */
public record ClusterSettings(String relayId, InetSocketAddress peerAddress, PeerRoutes routes, PeerSettings peerLink) {
    public static final ClusterSettings ALONE = new ClusterSettings("", null, PeerRoutes.NONE);

    public ClusterSettings {
        relayId = relayId == null ? "" : relayId;
        routes = Objects.requireNonNullElse(routes, PeerRoutes.NONE);
        peerLink = Objects.requireNonNullElse(peerLink, PeerSettings.NONE);
    }

    /** Without a peer link (its secret not given yet). */
    public ClusterSettings(String relayId, InetSocketAddress peerAddress, PeerRoutes routes) {
        this(relayId, peerAddress, routes, PeerSettings.NONE);
    }

    public boolean clustered() {
        return peerAddress != null;
    }

    /** The same, with the peer links authenticated and limited by {@code settings}. */
    public ClusterSettings withPeerLink(PeerSettings settings) {
        return new ClusterSettings(relayId, peerAddress, routes, settings);
    }

    /** The same, with {@code table} as the routes (the registry's watch fills it). */
    public ClusterSettings withRoutes(PeerRoutes table) {
        return new ClusterSettings(relayId, peerAddress, table, peerLink);
    }
}
