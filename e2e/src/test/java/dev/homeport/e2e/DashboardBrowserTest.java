package dev.homeport.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.access.BasicCredentials;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.server.tls.CertificateFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's dashboard on the admin port, behind --admin-auth, in a real headless Chromium: it lists
 * a client's tunnel with its session and client address, the HTTPS certificate and its expiry, and the tunnel's byte counts grow on the
 * open page after traffic. Leaves docs/images/dashboard.png.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {
    static final Path SCREENSHOT = Path.of("..", "docs", "images", "dashboard.png");
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString("ops:dash-secret".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    @Test
    void theDashboardListsATunnelAndItsByteCountsGrowAfterTraffic() throws Exception {
        int base = FreePorts.block(3);
        TestCa.Issued certificate = TestCa.create("Dashboard test CA", dir).issue("*.example.com");
        CertificateFiles files = CertificateFiles.load(List.of(new CertificateFiles.Pair(certificate.certificateFile(), certificate.keyFile())));
        try (RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                        new PortRange(base + 1, base + 2), new SingleToken("dashboard-token"))
                     .withShutdownGrace(Duration.ZERO).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                     .withHttp(HttpSettings.on(null, "example.com"))
                     .withHttps(HttpsSettings.on(new InetSocketAddress("127.0.0.1", 0), files)),
                     BasicCredentials.parse("ops:dash-secret"));
             LocalService echo = LocalService.start(c -> c.getInputStream().transferTo(c.getOutputStream()));
             RelayClient client = RelayClient.start(RelayClientConfig.of("127.0.0.1", base, "dashboard-token",
                     List.of(new TunnelSpec("notebook", "127.0.0.1", echo.port(), 0))).withShutdownGrace(Duration.ZERO),
                     new ClientEvents() { })) {
            int publicPort = URI.create(client.bound().get(10, TimeUnit.SECONDS).get("notebook")).getPort();
            String admin = "http://127.0.0.1:" + relay.adminAddress().getPort();
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(admin + "/api/tunnels")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(admin + "/metrics"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("ops:guess".getBytes())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            JsonNode tunnels = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(admin + "/api/tunnels"))
                    .header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(tunnels).singleElement().satisfies(t -> {
                assertThat(t.path("name").asText()).isEqualTo("notebook");
                assertThat(t.path("kind").asText()).isEqualTo("tcp");
                assertThat(t.path("public_address").asText()).isEqualTo("port " + publicPort);
                assertThat(t.path("client_address").asText()).startsWith("127.0.0.1:");
            });
            JsonNode sessions = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(admin + "/api/sessions"))
                    .header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(sessions).singleElement().satisfies(s -> assertThat(s.path("token").asText()).isEqualTo("default"));

            JsonNode certificates = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(admin + "/api/certificates"))
                    .header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(certificates).singleElement().satisfies(c -> {
                assertThat(c.path("name").asText()).isEqualTo("*.example.com");
                assertThat(c.path("not_after").asLong()).isEqualTo(certificate.certificate().getNotAfter().getTime());
            });

            try (HeadlessChromium chromium = HeadlessChromium.start(dir)) {
                chromium.extraHeaders(Map.of("Authorization", AUTH));
                chromium.navigate(admin + "/");
                String bytesIn = "(() => { const r = [...document.querySelectorAll('#tunnels tr')]"
                        + ".find(tr => tr.innerText.includes('port " + publicPort + "')); return r ? Number(r.children[6].innerText) : -1; })()";
                JsonNode before = chromium.awaitValue("the page lists the tunnel", bytesIn, v -> v.asLong() >= 0, Duration.ofSeconds(20));

                String payload = "x".repeat(50_000);
                assertThat(SecurityTest.echoThrough(publicPort, payload)).isEqualTo(payload);
                JsonNode after = chromium.awaitValue("the tunnel's bytes in grow by the traffic", bytesIn,
                        v -> v.asLong() >= before.asLong() + payload.length(), Duration.ofSeconds(10));
                assertThat(after.asLong()).isGreaterThanOrEqualTo(50_000);
                String bytesOut = bytesIn.replace("children[6]", "children[7]");
                assertThat(chromium.evaluate(bytesOut).asLong()).isGreaterThanOrEqualTo(50_000);
                assertThat(chromium.evaluate("document.getElementById('tokens').innerText").asText()).isEqualTo("default");
                assertThat(chromium.evaluate("document.getElementById('certificates').innerText").asText()).contains("*.example.com");
                chromium.screenshot(SCREENSHOT, 1280, 560);
            }
        }
    }
}
