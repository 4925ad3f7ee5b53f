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

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While a relay drains on shutdown, its admin port stays up: /health answers 503 "draining" (so a
 * monitor or load balancer sees the relay go) and /metrics still shows the stream it waits for.
 * Once the last stream is done, the relay stops and the admin port closes with it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainingHealthTest {
    private static final String TOKEN = "draining-health-test";

    @Test
    void healthSaysDrainingWhileAStreamFinishesThenTheAdminPortCloses() throws Exception {
        int base = FreePorts.block(2);
        CountDownLatch finish = new CountDownLatch(1);
        RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                        new PortRange(base + 1, base + 1), new SingleToken(TOKEN))
                .withShutdownGrace(Duration.ofSeconds(30)).withAdmin(new InetSocketAddress("127.0.0.1", 0)));
        CompletableFuture<Void> stopping = null;
        try (LocalService service = LocalService.start(c -> {
                 c.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                 finish.await(30, TimeUnit.SECONDS); // the stream stays open until the test lets it end
             });
             RelayClient client = RelayClient.start(RelayClientConfig.of("127.0.0.1", base, TOKEN,
                     List.of(new TunnelSpec("t", "127.0.0.1", service.port(), base + 1))).withShutdownGrace(Duration.ZERO),
                     new ClientEvents() { });
             Socket pub = new Socket()) {
            client.bound().get(10, TimeUnit.SECONDS);
            int admin = relay.adminAddress().getPort();
            pub.setSoTimeout(10_000);
            pub.connect(new InetSocketAddress("127.0.0.1", base + 1), 5_000);
            assertThat(new String(pub.getInputStream().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("hello\n");
            assertThat(health(admin).statusCode()).isEqualTo(200);

            stopping = CompletableFuture.runAsync(relay::close);
            Await.until(Duration.ofSeconds(10), "/health to say draining", () -> health(admin).statusCode() == 503);
            assertThat(health(admin).body()).contains("\"status\":\"draining\"");
            assertThat(Scrape.of(admin).value("homeport_streams_open")).isEqualTo(1);
            assertThat(stopping).isNotDone();

            finish.countDown(); // the service ends the stream; the public side reads its end
            assertThat(pub.getInputStream().read()).isEqualTo(-1);
            pub.close();
            stopping.get(20, TimeUnit.SECONDS);
            assertThat(adminRefuses(admin)).as("the admin port closed with the relay").isTrue();
        } finally {
            finish.countDown();
            if (stopping == null) {
                relay.close();
            }
        }
    }

    private static HttpResponse<String> health(int adminPort) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean adminRefuses(int adminPort) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", adminPort), 2_000);
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }
}
