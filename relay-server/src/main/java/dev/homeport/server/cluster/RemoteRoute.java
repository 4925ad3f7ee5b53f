package dev.homeport.server.cluster;

import dev.homeport.server.access.AccessPolicy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A public name (TCP port or host name) whose client is held by another relay of the cluster: where
 * to forward a public connection for it, and the rules to apply before forwarding (access rules are
 * checked at the relay where the public connection arrives, docs/cluster.md).
 *
 * @param relayId the owning relay's id, as it registered itself
 * @param peer    the owning relay's peer-link address ({@code --peer-address})
 * @param kind    the tunnel's kind as in BIND: {@code tcp}, {@code http} or {@code tls}
 * @param access  the tunnel's public access rules
 */
public record RemoteRoute(String relayId, InetSocketAddress peer, String kind, AccessPolicy access) {
    public RemoteRoute {
        Objects.requireNonNull(relayId, "relayId");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(kind, "kind");
        access = access == null ? AccessPolicy.OPEN : access;
    }
}
