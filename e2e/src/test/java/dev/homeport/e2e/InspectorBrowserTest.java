package dev.homeport.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.TunnelAccess;
import dev.homeport.client.inspect.InspectSettings;
import dev.homeport.client.inspect.Inspector;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.http.HttpSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client's request inspector in a real headless Chromium: a request through a relay's HTTP
 * tunnel shows up on the open page within a second (server-sent events), its secrets masked; the
 * page's Replay button sends it again and the replay is a second entry. Leaves docs/images/inspector.png.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InspectorBrowserTest {
    static final Path SCREENSHOT = Path.of("..", "docs", "images", "inspector.png");
    private static final String TOKEN = "inspector-test-token";

    @TempDir
    Path dir;

    @Test
    void aRequestThroughTheTunnelAppearsLiveMaskedAndReplaysAsASecondEntry() throws Exception {
        HttpSettings http = HttpSettings.on(new InetSocketAddress("127.0.0.1", 0), "example.com");
        try (RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                        FreePorts.range(2), new SingleToken(TOKEN)).withShutdownGrace(Duration.ZERO).withHttp(http));
             HttpEchoService service = HttpEchoService.start("lab")) {
            TunnelSpec tunnel = TunnelSpec.http("lab", "127.0.0.1", service.port(), "lab")
                    .withAccess(new TunnelAccess(false, "", List.of()));
            try (Inspector inspector = Inspector.start(new InspectSettings(new InetSocketAddress("127.0.0.1", 0), 100, 4096, false),
                    List.of(tunnel), Duration.ofSeconds(5));
                 RelayClient client = RelayClient.start(RelayClientConfig.of("127.0.0.1", relay.controlAddress().getPort(), TOKEN,
                         List.of(tunnel)).withShutdownGrace(Duration.ZERO), new ClientEvents() { }, inspector);
                 HeadlessChromium chromium = HeadlessChromium.start(dir)) {
                client.bound().get(10, TimeUnit.SECONDS);
                chromium.navigate(inspector.url() + "/");
                chromium.awaitValue("the inspector page is loaded and listening", "window.inspectorReady === true",
                        JsonNode::asBoolean, Duration.ofSeconds(20));

                try (RawHttp c = new RawHttp(relay.httpAddress())) {
                    RawHttp.Response r = c.send(RawHttp.get("lab.example.com", "/lab/tree?token=jupyter-secret-token",
                            "Authorization: Bearer top-secret-value", "Cookie: session=cookie-secret")).read();
                    assertThat(r.status()).isEqualTo(200);
                }
                chromium.awaitValue("the request is listed on the open page", "document.querySelectorAll('#rows tr').length",
                        v -> v.asInt() == 1, Duration.ofSeconds(1));
                JsonNode row = chromium.awaitValue("the row shows its status", "document.querySelector('#rows tr').innerText",
                        v -> v.asText().contains("200"), Duration.ofSeconds(5));
                assertThat(row.asText()).contains("GET", "/lab/tree?token=••••••").doesNotContain("jupyter-secret-token");

                chromium.evaluate("document.querySelector('#rows tr').click()");
                JsonNode detail = chromium.awaitValue("the detail shows the headers", "document.getElementById('detail').innerText",
                        v -> v.asText().contains("Request headers"), Duration.ofSeconds(5));
                // The echo service's body repeats the request as it received it: the secrets must be masked above it.
                String shown = detail.asText();
                String aboveBody = shown.substring(0, shown.indexOf("Response body"));
                assertThat(aboveBody).containsIgnoringCase("Authorization: Bearer ••••••").contains("session=••••••", "token=••••••")
                        .doesNotContain("top-secret-value", "cookie-secret", "jupyter-secret-token");
                assertThat(shown).contains("service=lab");

                chromium.evaluate("document.getElementById('replay').click()");
                chromium.awaitValue("the replay is a second entry", "document.querySelectorAll('#rows tr').length",
                        v -> v.asInt() == 2, Duration.ofSeconds(10));
                JsonNode result = chromium.awaitValue("the page shows the replay's result",
                        "document.getElementById('replay-result').innerText", v -> v.asText().contains("replayed as #2"),
                        Duration.ofSeconds(10));
                assertThat(result.asText()).contains("200");
                assertThat(chromium.evaluate("document.querySelector('#rows tr').innerText").asText()).contains("2 ↻1");

                // The API beside the page says the same, and the replay reached the service with the real credentials.
                HttpClient api = HttpClient.newHttpClient();
                JsonNode list = new ObjectMapper().readTree(api.send(HttpRequest.newBuilder(URI.create(inspector.url() + "/api/requests"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body());
                assertThat(list).hasSize(2);
                assertThat(list.get(0).path("id").asLong()).isEqualTo(2);
                assertThat(list.get(0).path("replay_of").asLong()).isEqualTo(1);
                assertThat(list.get(0).path("status").asInt()).isEqualTo(200);
                assertThat(list.get(1).path("duration_ms").asDouble()).isGreaterThanOrEqualTo(0);
                assertThat(list.toString()).doesNotContain("top-secret-value");
                assertThat(inspector.ring().get(2).responsePreview()).asString().containsIgnoringCase("Authorization: Bearer top-secret-value");
                try (RawHttp rebound = new RawHttp(inspector.address())) { // a page reached by DNS rebinding names its own host
                    assertThat(rebound.send(RawHttp.get("evil.example", "/api/requests")).read().status()).isEqualTo(403);
                }
                // For the README's picture: one more request, without secrets, selected.
                try (RawHttp c = new RawHttp(relay.httpAddress())) {
                    c.send(RawHttp.get("lab.example.com", "/api/contents/notebooks?type=directory", "Accept: application/json")).read();
                }
                chromium.awaitValue("the third request is listed", "document.querySelectorAll('#rows tr').length",
                        v -> v.asInt() == 3, Duration.ofSeconds(5));
                chromium.evaluate("document.querySelector('#rows tr').click()");
                chromium.awaitValue("its detail is shown", "document.getElementById('detail-title') !== null"
                        + " && document.getElementById('detail-title').innerText.includes('/api/contents')", JsonNode::asBoolean,
                        Duration.ofSeconds(5));
                chromium.screenshot(SCREENSHOT, 1280, 640);
            }
        }
    }
}
