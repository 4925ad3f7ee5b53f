package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.server.cluster.RegistryUnavailableException;
import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.etcd.EtcdTls;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.homeport.registry.etcd.Relays.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A registry on an etcd that speaks TLS and demands client certificates: the relay's CA, certificate and key files. */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EtcdTlsTest {
    @TempDir
    Path dir;

    @Test
    void theRegistryConnectsWithItsClientCertificateAndIsRefusedWithout() throws Exception {
        TestPki pki = new TestPki(dir);
        TestPki.Pem server = pki.issue("etcd");
        TestPki.Pem relay = pki.issue("relay-1");
        try (EtcdCluster etcd = EtcdCluster.startTls(new EtcdTls(server.certificate(), server.key(), pki.caFile(), true))) {
            assertThat(etcd.endpoints().get(0).getScheme()).isEqualTo("https");
            RegistryOptions withCert = new RegistryOptions(etcd.endpoints(), "/tls/", Duration.ofSeconds(3), pki.caFile(),
                    relay.certificate(), relay.key(), null, null);
            RegistryOptions caOnly = new RegistryOptions(etcd.endpoints(), "/tls/", Duration.ofSeconds(3), pki.caFile(),
                    null, null, null, null);

            try (var registry = ClaimRegistryProvider.find("etcd").open(withCert)) {
                registry.registerRelay("r1", Relays.peer(1), Duration.ofSeconds(5));
                assertThat(registry.claim(request("port/20030", "ann", "s1", 1, 1, false, Duration.ofSeconds(5))).won()).isTrue();
            }
            try (var registry = ClaimRegistryProvider.find("etcd").open(caOnly)) {
                assertThatThrownBy(() -> registry.registerRelay("r2", Relays.peer(2), Duration.ofSeconds(5)))
                        .isInstanceOf(RegistryUnavailableException.class);
            }
        }
    }

    @Test
    void unreadableTlsFilesAreOneClearError() {
        RegistryOptions missing = new RegistryOptions(java.util.List.of(java.net.URI.create("https://127.0.0.1:2379")), "/tls/",
                Duration.ofSeconds(1), dir.resolve("no-ca.crt"), null, null, null, null);
        assertThatThrownBy(() -> ClaimRegistryProvider.find("etcd").open(missing))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("cannot read the etcd TLS files")
                .hasMessageContaining("no-ca.crt");
    }
}
