package dev.homeport.server.cluster;

import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens a {@link ClaimRegistry}, a {@link ClusterTokenStore} and {@link ClusterCertificates}; found at run time through {@link ServiceLoader}, so the relay core
 * never links the registry's client library (the etcd one lives in the module homeport-registry-etcd).
 */
public interface ClaimRegistryProvider {

    /** The registry this provider speaks, as in the flag that selects it: {@code etcd}. */
    String name();

    /** Connects to the registry; the relay registers itself with {@link ClaimRegistry#registerRelay} next. */
    ClaimRegistry open(RegistryOptions options) throws RegistryUnavailableException;

    /** Connects to the registry's token store, for the relay's logins and for {@code token add|list|revoke}. */
    ClusterTokenStore openTokens(RegistryOptions options) throws RegistryUnavailableException;

    /**
     * Connects to the registry's ACME coordination for relay {@code relayId}: order locks held under
     * leases of {@code lockTtl}, shared challenge answers and certificates.
     */
    ClusterCertificates openCertificates(RegistryOptions options, String relayId, Duration lockTtl)
            throws RegistryUnavailableException;

    /** The provider named {@code name} on the class path; fails with what to install when there is none. */
    static ClaimRegistryProvider find(String name) {
        List<ClaimRegistryProvider> found = ServiceLoader.load(ClaimRegistryProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals(name)).toList();
        if (found.isEmpty()) {
            throw new IllegalStateException("--" + name + " needs the cluster registry module homeport-registry-" + name
                    + " (its jar and its lib/ directory) on the class path, and it is not there; run a build that includes"
                    + " it, or start without --" + name + " for a single relay");
        }
        return found.get(0);
    }
}
