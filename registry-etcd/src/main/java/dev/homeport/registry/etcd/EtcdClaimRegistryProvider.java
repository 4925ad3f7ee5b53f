package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClaimRegistry;
import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.cluster.ClusterCertificates;
import dev.homeport.server.cluster.ClusterTokenStore;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.server.cluster.RegistryUnavailableException;

import java.time.Duration;

/** The {@code etcd} registry for {@code homeport-server --etcd URL,...}, found through META-INF/services. */
public final class EtcdClaimRegistryProvider implements ClaimRegistryProvider {
    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public ClaimRegistry open(RegistryOptions options) throws RegistryUnavailableException {
        return EtcdClaimRegistry.open(options);
    }

    @Override
    public ClusterTokenStore openTokens(RegistryOptions options) throws RegistryUnavailableException {
        return EtcdTokenStore.open(options);
    }

    @Override
    public ClusterCertificates openCertificates(RegistryOptions options, String relayId, Duration lockTtl)
            throws RegistryUnavailableException {
        return EtcdClusterCertificates.open(options, relayId, lockTtl);
    }
}
