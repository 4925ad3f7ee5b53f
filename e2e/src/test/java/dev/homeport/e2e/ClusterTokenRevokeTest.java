package dev.homeport.e2e;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.cluster.ClusterSettings;
import dev.homeport.server.cluster.ClusterTokenStore;
import dev.homeport.server.cluster.PeerRoutes;
import dev.homeport.server.cluster.RegistryMembership;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.server.peer.PeerSecret;
import dev.homeport.server.peer.PeerSettings;
import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A clustered relay whose tokens live in etcd: a client logs in with a token added through another
 * host's store, and a revoke made there ends the client's session on this relay.
 */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterTokenRevokeTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private EtcdCluster etcd;
    private RegistryOptions options;

    @BeforeEach
    void startEtcd() throws Exception {
        etcd = EtcdCluster.start(1);
        options = RegistryOptions.of(etcd.endpoints()).withCallTimeout(Duration.ofSeconds(10));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        etcd.close();
    }

    @Test
    void aTokenRevokedThroughAnotherHostsStoreEndsItsLiveSessionOnTheRelay() throws Exception {
        ClusterTokenStore operator = store();
        String token = operator.add("ipad", TokenRights.ALL);
        TokenDirectory tokens = store().directory();
        RelayServer relay = relay(tokens);
        MuxSession session = boundSession(relay, token);

        long start = System.nanoTime();
        assertThat(operator.revoke("ipad")).isTrue();
        Await.until(Duration.ofSeconds(5), "the revoked token's session ended", () -> !relay.sessions().contains(session));
        System.out.println("revoke in etcd to session closed on the relay: " + (System.nanoTime() - start) / 1_000_000 + " ms");
        assertThat(tokens.rights("ipad")).isNull();
        assertThat(relay.sessions()).as("the client's reconnect is refused").isEmpty();
    }

    private ClusterTokenStore store() throws Exception {
        ClusterTokenStore s = ClaimRegistryProvider.find("etcd").openTokens(options);
        open.add(s);
        return s;
    }

    private RelayServer relay(TokenDirectory tokens) throws Exception {
        int base = FreePorts.block(2);
        var registry = ClaimRegistryProvider.find("etcd").open(options);
        ClusterSettings cluster = new ClusterSettings("r1", new InetSocketAddress("127.0.0.1", 0), PeerRoutes.NONE,
                PeerSettings.withSecret(PeerSecret.of("a-cluster-secret-for-the-token-revoke-test")))
                .withRegistry(new RegistryMembership(registry, Duration.ofSeconds(10), false));
        RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                        new PortRange(base + 1, base + 1), tokens)
                .withShutdownGrace(Duration.ZERO).withCluster(cluster));
        open.add(relay);
        return relay;
    }

    private MuxSession boundSession(RelayServer relay, String token) throws Exception {
        LocalService echo = LocalService.echo(0);
        open.add(echo);
        RelayClient client = RelayClient.start(RelayClientConfig.of("127.0.0.1", relay.controlAddress().getPort(), token,
                List.of(new TunnelSpec("echo", "127.0.0.1", echo.port(), 0))).withShutdownGrace(Duration.ZERO), new ClientEvents() {
        });
        open.add(client);
        client.bound().get(10, TimeUnit.SECONDS);
        assertThat(relay.sessions()).hasSize(1);
        return relay.sessions().get(0);
    }
}
