package dev.homeport.registry.etcd;

import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.cluster.ClusterTokenStore;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.homeport.registry.etcd.Relays.await;
import static org.assertj.core.api.Assertions.assertThat;

/** A relay's token directory across an etcd restart: it keeps the tokens it knew, then follows the changes made after. */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EtcdTokenWatchRestartTest {

    @Test
    void aRevokeMadeAfterEtcdRestartedStillReachesARelayThatWatchedThroughIt() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1)) {
            RegistryOptions options = RegistryOptions.of(etcd.endpoints()).withCallTimeout(Duration.ofSeconds(10));
            try (ClusterTokenStore relay = ClaimRegistryProvider.find("etcd").openTokens(options);
                 ClusterTokenStore operator = ClaimRegistryProvider.find("etcd").openTokens(options)) {
                String ipad = operator.add("ipad", TokenRights.ALL);
                TokenDirectory directory = relay.directory();
                List<String> revoked = new CopyOnWriteArrayList<>();
                directory.onRevoked(revoked::add);
                long ipadId = TokenKey.fromToken("ipad", ipad).id();
                assertThat(directory.find(ipadId)).isNotNull();

                etcd.kill(0);
                assertThat(directory.find(ipadId)).as("tokens last seen stay valid while etcd is away").isNotNull();
                etcd.restart(0);

                String lab = operator.add("lab", TokenRights.ALL);
                assertThat(operator.revoke("ipad")).isTrue();
                long ms = await(Duration.ofSeconds(30), "the revoke after the restart reaching the relay",
                        () -> revoked.contains("ipad"));
                System.out.println("revoke after an etcd restart heard by the relay after " + ms + " ms");
                await(Duration.ofSeconds(5), "the token added after the restart accepted",
                        () -> directory.find(TokenKey.fromToken("lab", lab).id()) != null);
                assertThat(directory.find(ipadId)).isNull();
            }
        }
    }
}
