package dev.homeport.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.server.tls.acme.AcmeChallengeType;
import dev.homeport.server.tls.acme.AcmeSettings;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code homeport jupyter --hostname} for a fresh name on a relay whose HTTPS certificates come from
 * ACME (Debian's pebble on loopback, challenges validated for real), with a real Jupyter Notebook:
 * the URL printed, and the QR code and Juno values with it, is the one the name is served on without
 * a redirect, so a Jupyter client creating a kernel and a notebook (POST, PUT) through it, used as
 * printed, gets 201, never 308. Host names resolve to loopback here: each request dials 127.0.0.1
 * at the printed port, with the printed host as SNI and Host, as a client whose DNS names the relay.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@RequiresProgram(value = JupyterProcess.PROGRAM, debianPackage = JupyterProcess.PACKAGE)
@RequiresProgram(value = "pebble", debianPackage = "pebble")
@RequiresProgram(value = "pebble-challtestsrv", debianPackage = "pebble")
class JupyterOverAcmeTest {
    private static final String TOKEN = "jupyter-acme-token";
    private static final String DOMAIN = "homeport.test";
    private static final Duration CLI_OUTPUT_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    private static int httpPort;
    private static Pebble pebble;
    private static JupyterProcess jupyter;

    @TempDir
    Path dir;

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @BeforeAll
    static void startPebbleAndJupyter() throws Exception {
        int ports = FreePorts.block(2);
        httpPort = ports;
        pebble = Pebble.start(shared.resolve("pebble"), httpPort, ports + 1);
        jupyter = JupyterProcess.start(shared.resolve("jupyter"), true);
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (jupyter != null) {
            jupyter.close();
        }
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void aFreshNameIsPrintedAsTheHttpsUrlItIsServedOnAndPostAndPutThroughItAsPrintedAreNeverRedirected() throws Exception {
        RelayServer relay = relay(acme(dir));
        String output = startCli(relay, "fresh").awaitOutput(l -> l.startsWith("  (HTTPS "), CLI_OUTPUT_TIMEOUT);
        int https = relay.httpsAddress().getPort();
        String url = printedUrl(output);
        assertThat(url).isEqualTo("https://fresh." + DOMAIN + ":" + https + "/?token=" + jupyter.token);
        assertThat(output).contains("  Address  fresh." + DOMAIN + "\n", "  Port     " + https + "\n",
                "  Token    " + jupyter.token + "\n", "  (HTTPS on)\n");
        assertThat(JupyterThroughRelayTest.decodeQr(qr(output))).isEqualTo(url);
        assertThat(output).as("--no-inspect: no inspector beside the URL").doesNotContain("inspect http");

        URI u = URI.create(url);
        assertKernelAndNotebookAreCreatedThrough(u);
        // The name is HTTPS-only from the first BIND_OK on: plain HTTP to it is redirected, as the URL says https.
        RawHttp.Response plain = send(new Socket("127.0.0.1", httpPort), "POST", "fresh." + DOMAIN + ":" + httpPort,
                "/api/kernels?token=" + jupyter.token, "{\"name\": \"python3\"}");
        assertThat(plain.status()).isEqualTo(308);
    }

    @Test
    void whenTheFirstOrderOutlastsTheBindWaitTheHttpUrlPrintedKeepsServingPostsAfterTheCertificateArrives() throws Exception {
        RelayServer relay = relay(acme(dir).withBindWait(Duration.ZERO));
        String output = startCli(relay, "slow").awaitOutput(l -> l.startsWith("  (HTTPS "), CLI_OUTPUT_TIMEOUT);
        String url = printedUrl(output);
        assertThat(url).isEqualTo("http://slow." + DOMAIN + ":" + httpPort + "/?token=" + jupyter.token);
        assertThat(output).contains("  Port     " + httpPort + "\n", "  (HTTPS off)\n");
        Await.until(Duration.ofSeconds(60), "a certificate for slow." + DOMAIN,
                () -> relay.certificates().forHostname("slow." + DOMAIN) != null
                        && relay.meterRegistry().find("homeport.acme.orders").tag("outcome", "success").counter() != null);

        // Before the fix, the relay redirected this POST (308) once the certificate was there.
        assertKernelAndNotebookAreCreatedThrough(URI.create(url));
    }

    // ---- fixtures ----

    private void assertKernelAndNotebookAreCreatedThrough(URI u) throws Exception {
        String authority = u.getRawAuthority();
        RawHttp.Response kernel = send(dial(u), "POST", authority, "/api/kernels?token=" + jupyter.token, "{\"name\": \"python3\"}");
        assertThat(kernel.status()).as(kernel.body()).isEqualTo(201);
        String id = JSON.readTree(kernel.body()).path("id").asText();
        String notebook = "{\"type\": \"notebook\", \"format\": \"json\", \"content\": {\"cells\": [], \"metadata\": {},"
                + " \"nbformat\": 4, \"nbformat_minor\": 5}}";
        RawHttp.Response put = send(dial(u), "PUT", authority, "/api/contents/" + u.getHost() + ".ipynb?token=" + jupyter.token, notebook);
        assertThat(put.status()).as(put.body()).isEqualTo(201);
        assertThat(send(dial(u), "DELETE", authority, "/api/kernels/" + id + "?token=" + jupyter.token, null).status()).isEqualTo(204);
    }

    /** A connection for the URL as printed: TLS (pebble's root, the host checked) for https, plain for http. */
    private static Socket dial(URI u) throws Exception {
        if (u.getScheme().equals("https")) {
            SSLSocket tls = BrowserTls.open(Pebble.trusting(pebble.root()), u.getPort(), u.getHost());
            tls.setSoTimeout(30_000);
            return tls;
        }
        Socket s = new Socket("127.0.0.1", u.getPort());
        s.setSoTimeout(30_000);
        return s;
    }

    private static RawHttp.Response send(Socket s, String method, String authority, String path, String body) throws IOException {
        try (RawHttp c = new RawHttp(s)) {
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n");
            if (body != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
            }
            c.send(head.append("\r\n").toString());
            c.send(payload);
            return c.read();
        }
    }

    private static String printedUrl(String output) {
        return output.lines().map(String::strip).filter(l -> l.startsWith("http")).findFirst()
                .orElseThrow(() -> new AssertionError("no URL printed:\n" + output));
    }

    private static List<String> qr(String output) {
        return output.lines().filter(l -> l.length() > 20 && l.matches("[\u2588\u2580\u2584 ]+")).toList();
    }

    private ClientCliProcess startCli(RelayServer relay, String hostname) throws Exception {
        return teardown.add(ClientCliProcess.start(List.of("jupyter", "--server", "tcp://127.0.0.1:" + relay.controlAddress().getPort(),
                        "--insecure-plaintext", "--token", TOKEN, "--hostname", hostname, "--no-check", "--no-inspect",
                        "--state-dir", dir.resolve("state").toString()),
                Map.of("HOME", jupyter.home.toString(), "JUPYTER_RUNTIME_DIR", jupyter.runtimeDir.toString()),
                dir.resolve("homeport-" + hostname + ".log")));
    }

    private static AcmeSettings acme(Path stateDir) {
        return AcmeSettings.of(pebble.directory(), "ops@example.com", stateDir.resolve("acme"))
                .withChallenge(AcmeChallengeType.HTTP_01)
                .withTrustCa(pebble.httpsCertificate())
                .withPolling(Duration.ofMillis(100), Duration.ofSeconds(20))
                .withRetry(Duration.ofMillis(500), Duration.ofSeconds(2));
    }

    private RelayServer relay(AcmeSettings acme) throws InterruptedException {
        int ports = FreePorts.block(2);
        return teardown.add(RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                        new PortRange(ports, ports + 1), new SingleToken(TOKEN))
                .withShutdownGrace(Duration.ZERO)
                .withHttp(HttpSettings.on(new InetSocketAddress("127.0.0.1", httpPort), DOMAIN))
                .withHttps(HttpsSettings.on(new InetSocketAddress("127.0.0.1", 0)))
                .withAcme(acme)));
    }
}
