package dev.homeport.e2e;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.cluster.ClusterSettings;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A clustered relay whose etcd goes away: {@code /health} turns stale (503) after the registry TTL,
 * and once etcd has been out of reach for longer than the reconnect grace the relay ends its client
 * sessions (fail closed), unless it runs with {@code --registry-fail-open}.
 */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RegistryFailClosedTest {
    private static final String TOKEN = "registry-fail-closed-test-token";
    private static final Duration GRACE = Duration.ofSeconds(4);
    private static final Duration TTL = Duration.ofSeconds(2);

    private final List<AutoCloseable> open = new ArrayList<>();
    private EtcdCluster etcd;

    @BeforeEach
    void startEtcd() throws Exception {
        etcd = EtcdCluster.start(1);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        etcd.close();
    }

    @Test
    void aRelayCutOffFromEtcdForLongerThanTheGraceEndsItsSessions() throws Exception {
        RelayServer relay = relay(false);
        MuxSession first = boundSession(relay);
        assertThat(health(relay)).isEqualTo("200 registry=ok");

        etcd.kill(0);
        Await.until(Duration.ofSeconds(15), "/health stale", () -> health(relay).equals("503 registry=stale"));
        Await.until(GRACE.plus(Duration.ofSeconds(15)), "the session ended by the relay", () -> !relay.sessions().contains(first));
        assertThat(relay.meterRegistry().get("homeport.registry.fenced").counter().count()).isEqualTo(1);
    }

    @Test
    void withFailOpenTheSessionsStayWhileEtcdIsGone() throws Exception {
        RelayServer relay = relay(true);
        MuxSession first = boundSession(relay);

        etcd.kill(0);
        Await.until(Duration.ofSeconds(15), "/health stale", () -> health(relay).equals("503 registry=stale"));
        Thread.sleep(GRACE.plus(Duration.ofSeconds(3)).toMillis()); // past the point where a fail-closed relay fences
        assertThat(relay.sessions()).contains(first);
        assertThat(relay.meterRegistry().get("homeport.registry.fenced").counter().count()).isZero();
    }

    private RelayServer relay(boolean failOpen) throws Exception {
        int base = FreePorts.block(2);
        var registry = ClaimRegistryProvider.find("etcd").open(RegistryOptions.of(etcd.endpoints())
                .withCallTimeout(Duration.ofSeconds(2)));
        ClusterSettings cluster = new ClusterSettings("solo", new InetSocketAddress("127.0.0.1", 0), PeerRoutes.NONE,
                PeerSettings.withSecret(PeerSecret.of("a-cluster-secret-for-the-fail-closed-test")))
                .withRegistry(new RegistryMembership(registry, TTL, failOpen));
        RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                        new PortRange(base + 1, base + 1), new SingleToken(TOKEN))
                .withShutdownGrace(Duration.ZERO).withReconnectGrace(GRACE)
                .withAdmin(new InetSocketAddress("127.0.0.1", 0)).withCluster(cluster));
        open.add(relay);
        return relay;
    }

    private MuxSession boundSession(RelayServer relay) throws Exception {
        LocalService echo = LocalService.echo(0);
        open.add(echo);
        RelayClient client = RelayClient.start(RelayClientConfig.of("127.0.0.1", relay.controlAddress().getPort(), TOKEN,
                List.of(new TunnelSpec("echo", "127.0.0.1", echo.port(), 0))).withShutdownGrace(Duration.ZERO), new ClientEvents() {
        });
        open.add(client);
        client.bound().get(10, TimeUnit.SECONDS);
        assertThat(relay.sessions()).hasSize(1);
        return relay.sessions().get(0);
    }

    /** "STATUS registry=..." from the relay's /health. */
    private static String health(RelayServer relay) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + relay.adminAddress().getPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            String body = r.body();
            int at = body.indexOf("\"registry\":\"");
            String registry = at < 0 ? "-" : body.substring(at + 12, body.indexOf('"', at + 12));
            return r.statusCode() + " registry=" + registry;
        } catch (Exception e) {
            return "unreachable " + e;
        }
    }
}
