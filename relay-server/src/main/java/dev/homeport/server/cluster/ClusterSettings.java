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
 * @param registry    where names are claimed cluster-wide ({@code --etcd}); {@code null}: no registry
 */
public record ClusterSettings(String relayId, InetSocketAddress peerAddress, PeerRoutes routes, PeerSettings peerLink,
                              RegistryMembership registry) {
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

    /** Peer links without a registry: routes filled by other means (tests). */
    public ClusterSettings(String relayId, InetSocketAddress peerAddress, PeerRoutes routes, PeerSettings peerLink) {
        this(relayId, peerAddress, routes, peerLink, null);
    }

    public boolean clustered() {
        return peerAddress != null;
    }

    /** The same, with the peer links authenticated and limited by {@code settings}. */
    public ClusterSettings withPeerLink(PeerSettings settings) {
        return new ClusterSettings(relayId, peerAddress, routes, settings, registry);
    }

    /** The same, with {@code table} as the routes (the registry's watch fills it). */
    public ClusterSettings withRoutes(PeerRoutes table) {
        return new ClusterSettings(relayId, peerAddress, table, peerLink, registry);
    }

    /** The same, claiming names in {@code membership}'s registry, whose watch gives the peer routes. */
    public ClusterSettings withRegistry(RegistryMembership membership) {
        return new ClusterSettings(relayId, peerAddress, membership.claims().routes(), peerLink, membership);
    }
}
