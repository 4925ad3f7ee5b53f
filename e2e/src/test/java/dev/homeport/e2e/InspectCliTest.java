package dev.homeport.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.http.HttpSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code homeport http} with its request inspector, as a user runs it: the inspector's address is
 * printed after the public URL (the next free port when the asked one is taken), its JSON API lists
 * a request through the tunnel, and {@code --no-inspect} serves none.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InspectCliTest {
    private static final String TOKEN = "inspect-cli-token";
    private static final Pattern INSPECT = Pattern.compile("(?m)^inspect (http://127\\.0\\.0\\.1:(\\d+))$");

    @TempDir
    Path dir;

    @Test
    void theInspectorTakesTheNextFreePortPrintsItsAddressAndListsARequestThroughTheTunnel() throws Exception {
        try (RelayServer relay = relay(); HttpEchoService service = HttpEchoService.start("web");
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ClientCliProcess client = ClientCliProcess.start(List.of("http", Integer.toString(service.port()), "--hostname", "web",
                     "--server", "tcp://127.0.0.1:" + relay.controlAddress().getPort(), "--token", TOKEN, "--insecure-plaintext",
                     "--no-https-only", "--state-dir", dir.resolve("state").toString(),
                     "--inspect", "127.0.0.1:" + taken.getLocalPort()), Map.of(), dir.resolve("client.log"))) {
            String out = client.awaitOutput(l -> l.startsWith("inspect http://"), Duration.ofSeconds(60));
            Matcher m = INSPECT.matcher(out);
            assertThat(m.find()).as(out).isTrue();
            assertThat(out.lines().filter(l -> l.startsWith("http://")).findFirst()).hasValue("http://web.example.com:" + relay.httpAddress().getPort());
            assertThat(Integer.parseInt(m.group(2))).isGreaterThan(taken.getLocalPort());
            String inspector = m.group(1);

            try (RawHttp c = new RawHttp(relay.httpAddress())) {
                assertThat(c.send(RawHttp.get("web.example.com", "/notebooks/a.ipynb?token=abc")).read().status()).isEqualTo(200);
            }
            HttpClient http = HttpClient.newHttpClient();
            JsonNode list = null;
            for (int i = 0; i < 50 && (list == null || list.isEmpty() || list.get(0).path("status").asInt() == 0); i++) {
                list = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(inspector + "/api/requests")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                Thread.sleep(100);
            }
            assertThat(list).hasSize(1);
            JsonNode e = list.get(0);
            assertThat(e.path("id").asLong()).isEqualTo(1);
            assertThat(e.path("method").asText()).isEqualTo("GET");
            assertThat(e.path("path").asText()).isEqualTo("/notebooks/a.ipynb?token=••••••");
            assertThat(e.path("status").asInt()).isEqualTo(200);
            assertThat(e.path("duration_ms").asDouble()).isGreaterThanOrEqualTo(0);
            assertThat(e.path("request_headers").toString()).contains("x-forwarded-for");
            assertThat(e.path("response_headers").toString()).contains("content-length");

            HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(URI.create(inspector + "/api/requests/1/replay"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "text/plain").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(notJson.statusCode()).isEqualTo(415);
            HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(inspector + "/api/requests/99")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);
            HttpResponse<String> edited = http.send(HttpRequest.newBuilder(URI.create(inspector + "/api/requests/1/replay"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"method\":\"POST\",\"path\":\"/edited\",\"body\":\"changed\"}"))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
            JsonNode replay = new ObjectMapper().readTree(edited.body());
            assertThat(replay.path("id").asLong()).isEqualTo(2);
            assertThat(replay.path("replay_of").asLong()).isEqualTo(1);
            JsonNode detail = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(inspector + "/api/requests/2")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(detail.path("response_body").path("text").asText()).contains("POST /edited HTTP/1.1", "changed");
        }
    }

    @Test
    void withNoInspectNoInspectorIsServed() throws Exception {
        try (RelayServer relay = relay(); HttpEchoService service = HttpEchoService.start("web");
             ClientCliProcess client = ClientCliProcess.start(List.of("http", Integer.toString(service.port()), "--hostname", "web",
                     "--server", "tcp://127.0.0.1:" + relay.controlAddress().getPort(), "--token", TOKEN, "--insecure-plaintext",
                     "--state-dir", dir.resolve("state").toString(), "--no-inspect"), Map.of(), dir.resolve("client.log"))) {
            String out = client.awaitOutput(l -> l.startsWith("http://web.example.com"), Duration.ofSeconds(60));
            Thread.sleep(500);
            assertThat(client.output()).doesNotContain("inspect http://").doesNotContain("inspector_listening");
            assertThat(out).isNotEmpty();
        }
    }

    private static RelayServer relay() throws InterruptedException {
        return RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                FreePorts.range(2), new SingleToken(TOKEN)).withShutdownGrace(Duration.ZERO)
                .withHttp(HttpSettings.on(new InetSocketAddress("127.0.0.1", 0), "example.com")));
    }
}
