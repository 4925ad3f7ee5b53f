package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;

import java.net.URI;
import java.time.Duration;

/** A jetcd client from {@link RegistryOptions}: endpoints, TLS files, user and password, timeouts. */
final class EtcdClients {
    /** gRPC pings an idle connection this often, so a dead etcd member behind a silent network is noticed. */
    static final Duration KEEPALIVE_TIME = Duration.ofSeconds(5);
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(3);

    private EtcdClients() {
    }

    static Client open(RegistryOptions options) throws RegistryUnavailableException {
        ClientBuilder b = Client.builder()
                .endpoints(options.endpoints().toArray(URI[]::new))
                .connectTimeout(options.callTimeout())
                .keepaliveTime(KEEPALIVE_TIME)
                .keepaliveTimeout(KEEPALIVE_TIMEOUT)
                .retryMaxDuration(options.callTimeout());
        if (options.user() != null) {
            b.user(Bytes.of(options.user())).password(Bytes.of(options.password()));
        }
        if (options.caFile() != null || options.certFile() != null) {
            try {
                b.sslContext(ssl -> {
                    if (options.caFile() != null) {
                        ssl.trustManager(options.caFile().toFile());
                    }
                    if (options.certFile() != null) {
                        ssl.keyManager(options.certFile().toFile(), options.keyFile().toFile());
                    }
                });
            } catch (Exception e) {
                throw new RegistryUnavailableException("cannot read the etcd TLS files (CA " + options.caFile() + ", certificate "
                        + options.certFile() + ", key " + options.keyFile() + "): " + e.getMessage(), e);
            }
        }
        return b.build();
    }
}
