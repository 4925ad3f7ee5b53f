package dev.homeport.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.server.tls.CertificateFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the request inspector sees of each kind of traffic, through {@code homeport start} with a
 * config file holding an HTTP tunnel and a TLS passthrough tunnel on a relay with a public HTTPS
 * port (certificates from a CA made for the test): requests over HTTPS that the relay terminates
 * (the client receives plain HTTP), a WebSocket with its frames counted each way, and TLS
 * passthrough connections listed once each, unread.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class InspectorCoverageTest {
    private static final String TOKEN = "inspector-coverage-token";
    private static final Pattern INSPECT = Pattern.compile("(?m)^inspect (http://127\\.0\\.0\\.1:\\d+)$");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private RelayServer relay;
    private SSLContext trust;
    private TestCa.Issued serviceCertificate;
    private String output;
    private String inspector;

    @BeforeAll
    void startRelayServicesAndClient() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        TestCa ca = TestCa.create("Inspector coverage CA", pki);
        TestCa.Issued relayCertificate = ca.issue("*.example.com");
        serviceCertificate = ca.issue("nas.example.org");
        trust = ca.clientContext();
        int ports = FreePorts.block(2);
        relay = track(RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                        new PortRange(ports, ports + 1), new SingleToken(TOKEN)).withShutdownGrace(Duration.ZERO)
                .withHttp(HttpSettings.on(new InetSocketAddress("127.0.0.1", 0), "example.com"))
                .withHttps(HttpsSettings.on(new InetSocketAddress("127.0.0.1", 0), CertificateFiles.load(List.of(
                        new CertificateFiles.Pair(relayCertificate.certificateFile(), relayCertificate.keyFile())))))));
        HttpEchoService web = track(HttpEchoService.start("web"));
        WebSocketEchoService ws = track(WebSocketEchoService.start());
        TlsEchoService nas = track(TlsEchoService.start(serviceCertificate));
        Path file = dir.resolve("homeport.yaml");
        Files.writeString(file, """
                server: tcp://127.0.0.1:%d
                token: %s
                insecure_plaintext: true
                state_dir: %s
                inspect: 127.0.0.1:0
                tunnels:
                  - {type: http, name: web, local_port: %d, hostname: web.example.com}
                  - {type: http, name: ws, local_port: %d, hostname: ws.example.com}
                  - {type: tls, name: nas, local_port: %d, hostname: nas.example.org}
                  - {type: tcp, name: plain, local_port: %d}
                """.formatted(relay.controlAddress().getPort(), TOKEN, dir.resolve("state"), web.port(), ws.port(), nas.port(),
                web.port()));
        ClientCliProcess client = track(ClientCliProcess.start(List.of("start", "--config", file.toString()), Map.of(),
                dir.resolve("client.log")));
        output = client.awaitOutput(l -> l.startsWith("tcp://"), Duration.ofSeconds(60));
        client.awaitOutput(l -> l.startsWith("tls://"), Duration.ofSeconds(30));
        output = client.awaitOutput(l -> l.startsWith("https://ws."), Duration.ofSeconds(30));
        Thread.sleep(200); // the inspect line follows its address in the same flush
        output = client.output();
        Matcher m = INSPECT.matcher(output);
        assertThat(m.find()).as(output).isTrue();
        inspector = m.group(1);
    }

    @AfterAll
    void stopAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void startPrintsTheInspectorsAddressAfterEachHttpAndTlsTunnelButNotAfterATcpOne() {
        List<String> lines = output.lines().toList();
        int https = relay.httpsAddress().getPort();
        for (String address : List.of("https://web.example.com:" + https, "https://ws.example.com:" + https,
                "tls://nas.example.org:" + https)) {
            int at = lines.indexOf(address);
            assertThat(at).as(output).isGreaterThanOrEqualTo(0);
            assertThat(lines.get(at + 1)).isEqualTo("inspect " + inspector);
        }
        String tcp = lines.stream().filter(l -> l.startsWith("tcp://")).findFirst().orElseThrow();
        int at = lines.indexOf(tcp);
        assertThat(at + 1 == lines.size() || !lines.get(at + 1).startsWith("inspect ")).as(output).isTrue();
    }

    @Test
    void aRequestOverHttpsThatTheRelayTerminatesIsListedWithItsHeaders() throws Exception {
        RawHttp.Response r;
        try (SSLSocket s = tls("web.example.com"); RawHttp c = new RawHttp(s)) {
            r = c.send(RawHttp.get("web.example.com", "/over-https?token=secret-jupyter-token", "Connection: close")).read();
        }
        assertThat(r.status()).isEqualTo(200);
        JsonNode e = await(x -> x.path("tunnel").asText().equals("web") && x.path("path").asText().startsWith("/over-https")
                && x.path("status").asInt() == 200);
        assertThat(e.path("method").asText()).isEqualTo("GET");
        assertThat(e.path("path").asText()).isEqualTo("/over-https?token=••••••");
        assertThat(e.path("request_headers").toString()).contains("[\"x-forwarded-proto\",\"https\"]");
        assertThat(e.path("response_headers").toString()).contains("content-length");
    }

    @Test
    void aWebSocketIsListedAsAnUpgradeWithTheFramesSentEachWay() throws Exception {
        int toService = 7;
        try (KernelSocket ws = KernelSocket.open(tls("ws.example.com"), "ws.example.com", WebSocketEchoService.PATH,
                "https://ws.example.com")) {
            for (int i = 0; i < toService; i++) {
                ws.sendText("frame " + i);
                assertThat(ws.readText()).isEqualTo("frame " + i);
            }
            // Listed while it is open: the counts are republished as frames flow.
            JsonNode e = await(x -> x.path("tunnel").asText().equals("ws") && x.path("websocket").asBoolean()
                    && x.path("frames_in").asInt() == toService && x.path("frames_out").asInt() == toService);
            assertThat(e.path("status").asInt()).isEqualTo(101);
            assertThat(e.path("method").asText()).isEqualTo("GET");
            assertThat(e.path("path").asText()).isEqualTo(WebSocketEchoService.PATH);
            assertThat(e.path("state").asText()).isNotEqualTo("done");
        }
    }

    @Test
    void aTlsPassthroughConnectionIsListedOnceWithItsByteCountsAndNothingFromInsideIt() throws Exception {
        byte[] ping = "ping through tls".getBytes(StandardCharsets.US_ASCII);
        try (SSLSocket s = tls("nas.example.org")) {
            assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(serviceCertificate.certificate());
            s.getOutputStream().write(ping);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] echo = in.readNBytes(ping.length);
            assertThat(echo).isEqualTo(ping);
        }
        JsonNode e = await(x -> x.path("tunnel").asText().equals("nas"));
        assertThat(e.path("kind").asText()).isEqualTo("tls");
        assertThat(e.path("method").asText()).isEqualTo("TLS");
        assertThat(e.path("path").asText()).isEqualTo("(passthrough connection)");
        assertThat(e.path("request_headers")).isEmpty();
        assertThat(e.path("response_headers")).isEmpty();
        // TLS records around the bytes: more than the plaintext, each way.
        assertThat(e.path("request_bytes").asLong()).isGreaterThan(ping.length);
        assertThat(e.path("response_bytes").asLong()).isGreaterThan(ping.length);
        assertThat(list().findValuesAsText("tunnel").stream().filter("nas"::equals)).hasSize(1);
    }

    private JsonNode await(Predicate<JsonNode> match) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = list();
            for (JsonNode e : last) {
                if (match.test(e)) {
                    return e;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no such entry in the inspector's list: " + last);
    }

    private JsonNode list() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(inspector + "/api/requests")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private SSLSocket tls(String name) throws Exception {
        Socket plain = new Socket();
        plain.connect(relay.httpsAddress(), 5000);
        SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket(plain, name, relay.httpsAddress().getPort(), true);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(name)));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.setSoTimeout(30_000);
        s.startHandshake();
        return s;
    }

    private <T extends AutoCloseable> T track(T resource) {
        open.add(resource);
        return resource;
    }
}
