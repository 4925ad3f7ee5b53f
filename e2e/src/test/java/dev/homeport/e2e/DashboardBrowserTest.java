package dev.homeport.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.BindOk;
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

import java.net.InetAddress;
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
 * open page after traffic; a refused handshake from another address is listed under recent refusals
 * (in /api/refusals and on the page), and a tunnel's "since" is when it was bound. Leaves docs/images/dashboard.png.
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
                     new ClientEvents() { });
             RawSession late = RawSession.open(relay.controlAddress(), "dashboard-token", 1 << 20)) {
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
            assertThat(sessions).hasSize(2).allSatisfy(s -> assertThat(s.path("token").asText()).isEqualTo("default"));

            JsonNode certificates = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(admin + "/api/certificates"))
                    .header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(certificates).singleElement().satisfies(c -> {
                assertThat(c.path("name").asText()).isEqualTo("*.example.com");
                assertThat(c.path("not_after").asLong()).isEqualTo(certificate.certificate().getNotAfter().getTime());
            });

            // A refusal from another address than the client's: a handshake with a wrong token from 127.0.0.9.
            RawHandshake.Result wrongToken = RawHandshake.attempt(relay.controlAddress(), InetAddress.getByName("127.0.0.9"),
                    "not-the-token");
            assertThat(wrongToken.outcome()).isNotEqualTo(RawHandshake.Outcome.WELCOMED);
            JsonNode recent = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(admin + "/api/refusals"))
                    .header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(recent).singleElement().satisfies(r -> {
                assertThat(r.path("kind").asText()).isEqualTo("denied");
                assertThat(r.path("remote_address").asText()).startsWith("127.0.0.9:");
                assertThat(r.path("reason").asText()).isEqualTo("handshake auth_failed");
                assertThat(r.path("at").asLong()).isBetween(System.currentTimeMillis() - 10_000, System.currentTimeMillis());
            });

            // A tunnel bound well after its session began: "since" is the bind, not the session's start.
            {
                Thread.sleep(1_500);
                late.sendBind(new Bind(1, Bind.KIND_TCP, 0, "lab"));
                int latePort = BindOk.decode(late.awaitBindAnswer().payload()).port();
                JsonNode all = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(admin + "/api/tunnels"))
                        .header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofString()).body());
                JsonNode lateTunnel = null;
                for (JsonNode t : all) {
                    if (t.path("public_address").asText().equals("port " + latePort)) {
                        lateTunnel = t;
                    }
                }
                assertThat(lateTunnel).as(all.toString()).isNotNull();
                String lateSession = lateTunnel.path("session").asText();
                JsonNode allSessions = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(admin + "/api/sessions"))
                        .header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofString()).body());
                long sessionSince = -1;
                for (JsonNode x : allSessions) {
                    if (x.path("id").asText().equals(lateSession)) {
                        sessionSince = x.path("since").asLong();
                    }
                }
                assertThat(sessionSince).isPositive();
                assertThat(lateTunnel.path("since").asLong()).isGreaterThanOrEqualTo(sessionSince + 1_400);
            }

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
                String recentRows = "document.getElementById('recent-refusals').innerText";
                assertThat(chromium.evaluate(recentRows).asText()).contains("denied", "127.0.0.9:", "handshake auth_failed");
                chromium.screenshot(SCREENSHOT, 1280, 640);
            }
        }
    }
}
