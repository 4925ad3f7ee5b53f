package dev.homeport.e2e;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator's view: /health and Prometheus /metrics on the admin port, counting what happened. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminEndpointTest {
    @Test
    void metricsShowConnectedClientsOpenStreamsAndHandshakeFailuresAfterTraffic() throws Exception {
        int base = FreePorts.block(3);
        try (RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                        new PortRange(base + 1, base + 2), new SingleToken("admin-test"))
                     .withShutdownGrace(Duration.ZERO).withAdmin(new InetSocketAddress("127.0.0.1", 0)));
             LocalService echo = LocalService.start(c -> c.getInputStream().transferTo(c.getOutputStream()));
             RelayClient good = RelayClient.start(RelayClientConfig.of("127.0.0.1", base, "admin-test",
                     List.of(new TunnelSpec("t", "127.0.0.1", echo.port(), 0))).withShutdownGrace(Duration.ZERO), new ClientEvents() { });
             RelayClient bad = RelayClient.start(RelayClientConfig.of("127.0.0.1", base, "wrong",
                     List.of(new TunnelSpec("t", "127.0.0.1", echo.port(), 0))).withShutdownGrace(Duration.ZERO), new ClientEvents() { })) {
            int publicPort = URI.create(good.bound().get(10, TimeUnit.SECONDS).get("t")).getPort();
            assertThat(SecurityTest.echoThrough(publicPort, "counted")).isEqualTo("counted");
            bad.failure().get(10, TimeUnit.SECONDS);
            String admin = "http://127.0.0.1:" + relay.adminAddress().getPort();
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(admin + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(admin + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(admin + "/secret")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"up\"").contains("\"clients\":1")
                    .contains("\"version\":\"" + System.getProperty("homeport.version") + "\"")
                    .containsPattern("\"commit\":\"([0-9a-f]{10}|unknown)\"");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(metrics.body())
                    .contains("homeport_clients_connected 1.0")
                    .contains("homeport_streams_open")
                    .contains("homeport_handshake_failures_total{reason=\"auth_failed\"} 1.0");
            assertThat(other.statusCode()).isEqualTo(404);
            assertThat(relay.adminAddress().getAddress().isLoopbackAddress()).isTrue();
        }
    }
}
