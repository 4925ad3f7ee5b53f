package dev.homeport.server.cluster;

import java.time.Duration;
import java.util.Objects;

/**
 * This relay's registration with the cluster registry ({@code --etcd}).
 *
 * @param claims   the registry, with this relay already registered in it
 * @param relayTtl the registration lease ({@code --registry-ttl}): other relays forget this one's routes
 *                 this long after it stopped renewing it, and it reports itself stale
 * @param failOpen keep serving when the registry is out of reach for longer than the grace
 *                 ({@code --registry-fail-open}); by default the relay then ends its sessions
 * @param certificates ACME orders, challenge answers and certificates shared by the cluster's relays
 *                     (with {@code --acme}), or {@code null}: each relay orders its own
 */
public record RegistryMembership(ClaimRegistry claims, Duration relayTtl, boolean failOpen, ClusterCertificates certificates) {
    public static final Duration DEFAULT_RELAY_TTL = Duration.ofSeconds(10);

    public RegistryMembership {
        Objects.requireNonNull(claims, "claims");
        relayTtl = relayTtl == null ? DEFAULT_RELAY_TTL : relayTtl;
    }

    /** Without shared ACME certificates. */
    public RegistryMembership(ClaimRegistry claims, Duration relayTtl, boolean failOpen) {
        this(claims, relayTtl, failOpen, null);
    }
}
