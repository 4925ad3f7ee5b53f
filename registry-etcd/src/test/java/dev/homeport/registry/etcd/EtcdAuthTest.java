package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.server.cluster.RegistryUnavailableException;
import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.homeport.registry.etcd.Relays.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A registry on an etcd with authentication on (etcd RBAC): it works with the user's password, and fails clearly without. */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@RequiresProgram(value = "etcdctl", debianPackage = "etcd-client")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EtcdAuthTest {

    @Test
    void theRegistryUsesTheUsersPasswordAndAWrongOneFailsNamingTheCause() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1)) {
            String endpoint = etcd.endpoints().get(0).toString();
            etcdctl(endpoint, "user", "add", "root", "--new-user-password=s3cret");
            etcdctl(endpoint, "auth", "enable");
            RegistryOptions base = RegistryOptions.of(etcd.endpoints()).withCallTimeout(Duration.ofSeconds(3));
            RegistryOptions good = new RegistryOptions(base.endpoints(), "/auth/", base.callTimeout(), null, null, null, "root", "s3cret");
            RegistryOptions bad = new RegistryOptions(base.endpoints(), "/auth/", base.callTimeout(), null, null, null, "root", "wrong");

            try (var registry = ClaimRegistryProvider.find("etcd").open(good)) {
                registry.registerRelay("r1", Relays.peer(1), Duration.ofSeconds(5));
                assertThat(registry.claim(request("port/20020", "ann", "s1", 1, 1, false, Duration.ofSeconds(5))).won()).isTrue();
            }
            try (var registry = ClaimRegistryProvider.find("etcd").open(bad)) {
                assertThatThrownBy(() -> registry.registerRelay("r2", Relays.peer(2), Duration.ofSeconds(5)))
                        .isInstanceOf(RegistryUnavailableException.class)
                        .hasMessageContaining("authentication failed");
            }
        }
    }

    private static void etcdctl(String endpoint, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoint));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("etcdctl " + String.join(" ", args) + " finished").isTrue();
        assertThat(p.exitValue()).as("etcdctl " + String.join(" ", args) + ": " + out).isZero();
    }
}
