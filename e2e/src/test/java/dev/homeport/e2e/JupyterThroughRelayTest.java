package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiresProgram;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.PlanarYUVLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code homeport jupyter} against a real Jupyter Notebook 6 and a relay with a public HTTPS port, as
 * the iPad would use it: the CLI finds the server, prints the URL, QR code and Juno values, and
 * checks Jupyter's host/origin rules; through that URL a kernel runs code over its WebSocket, and
 * headless Chromium runs a notebook cell. The relay terminates TLS with a {@code *.localhost}
 * certificate from a CA made for the test, and every client verifies it: this JVM by that CA and the
 * host name, the CLI by a trust store holding that CA, Chromium by the certificate's key (SPKI). The
 * host names are under {@code .localhost}, which Chromium and the CLI's check dial on loopback (RFC
 * 6761). The relay's plain HTTP port runs too, and redirects the Jupyter name to HTTPS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@RequiresProgram(value = JupyterProcess.PROGRAM, debianPackage = JupyterProcess.PACKAGE)
class JupyterThroughRelayTest {
    /** The public side of the relay that the CLI prints and the clients use. */
    static final String SCHEME = "https";
    static final String DOMAIN = "localhost";
    private static final String TOKEN = "jupyter-e2e-relay-token";
    private static final Duration CLI_OUTPUT_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRUST_STORE_PASSWORD = "jupyter-e2e-trust";

    @TempDir
    static Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private RelayServer relay;
    private TestCa.Issued certificate;
    private SSLContext trustsTheTestCa;
    private List<String> cliTrust;
    private JupyterProcess jupyter;
    private String output;
    private String url;

    @BeforeAll
    void startJupyterRelayAndCli() throws Exception {
        jupyter = track(JupyterProcess.start(dir.resolve("allowed"), true));
        Path pki = Files.createDirectories(dir.resolve("pki"));
        TestCa ca = TestCa.create("Jupyter e2e CA", pki);
        certificate = ca.issue("*." + DOMAIN);
        trustsTheTestCa = ca.clientContext();
        Path trustStore = ca.writeTrustStore(pki.resolve("trust.p12"), TRUST_STORE_PASSWORD);
        cliTrust = List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-Djavax.net.ssl.trustStorePassword=" + TRUST_STORE_PASSWORD);
        int ports = FreePorts.block(2);
        relay = track(RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                        new PortRange(ports, ports + 1), new SingleToken(TOKEN)).withShutdownGrace(Duration.ZERO)
                .withHttp(HttpSettings.on(new InetSocketAddress("127.0.0.1", 0), DOMAIN))
                .withHttps(HttpsSettings.on(new InetSocketAddress("127.0.0.1", 0), CertificateFiles.load(List.of(
                        new CertificateFiles.Pair(certificate.certificateFile(), certificate.keyFile())))))));
        ClientCliProcess cli = track(startCli(jupyter, "jupyter", dir.resolve("allowed")));
        output = cli.awaitOutput(l -> l.startsWith("Check through the relay:"), CLI_OUTPUT_TIMEOUT);
        url = output.lines().map(String::strip).filter(l -> l.startsWith(SCHEME + "://")).findFirst().orElseThrow(
                () -> new AssertionError("no URL printed:\n" + output));
    }

    @AfterAll
    void stopAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void theCliFindsTheRunningNotebookAndPrintsItsPublicUrlWithTokenAndTheValuesForJuno() {
        int port = relay.httpsAddress().getPort();
        assertThat(output).contains("(notebook 6, pid " + jupyter.pid() + ", " + jupyter.notebookDir + ")");
        assertThat(url).isEqualTo(SCHEME + "://jupyter." + DOMAIN + ":" + port + "/?token=" + jupyter.token);
        assertThat(output).contains("  Address  jupyter." + DOMAIN + "\n", "  Port     " + port + "\n",
                "  Token    " + jupyter.token + "\n", "  (HTTPS " + ("https".equals(SCHEME) ? "on" : "off") + ")\n");
        assertThat(output).contains("Check through the relay: ok: Jupyter answers REST and WebSocket requests through "
                + SCHEME + "://jupyter." + DOMAIN + ":" + port);
    }

    @Test
    void plainHttpForTheJupyterNameIsRedirectedToTheHttpsUrlWhichListsTheContents() throws Exception {
        URI u = URI.create(url);
        String path = "/api/contents?token=" + jupyter.token;
        RawHttp.Response redirect;
        try (RawHttp c = new RawHttp(relay.httpAddress())) {
            redirect = c.send(RawHttp.get(u.getHost() + ":" + relay.httpAddress().getPort(), path, "Connection: close")).read();
        }
        assertThat(redirect.status()).isEqualTo(308);
        URI location = URI.create(redirect.header("location"));
        assertThat(location).isEqualTo(URI.create(SCHEME + "://" + u.getRawAuthority() + path));

        RawHttp.Response followed = request(location, "GET", location.getRawPath() + "?" + location.getRawQuery(), null);
        assertThat(followed.status()).isEqualTo(200);
        assertThat(JSON.readTree(followed.body()).path("type").asText()).isEqualTo("directory");
    }

    @Test
    void thePrintedQrCodeDecodesBackToExactlyThePrintedUrl() throws Exception {
        List<String> qr = output.lines().filter(l -> l.length() > 20 && l.matches("[\u2588\u2580\u2584 ]+")).toList();
        assertThat(qr).hasSizeGreaterThan(10);
        assertThat(decodeQr(qr)).isEqualTo(url);
    }

    @Test
    void throughThePrintedUrlTheContentsAreListedAndAKernelPrints42OverItsWebSocket() throws Exception {
        URI u = URI.create(url);
        try (SSLSocket s = tls(u)) { // the relay's certificate for the name, verified by the test CA and the host name
            assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(certificate.certificate());
        }
        Files.writeString(jupyter.notebookDir.resolve("hello.txt"), "hi");
        RawHttp.Response contents = request(u, "GET", "/api/contents?token=" + jupyter.token, null);
        assertThat(contents.status()).isEqualTo(200);
        assertThat(JSON.readTree(contents.body()).path("content").findValuesAsText("name")).contains("hello.txt");

        RawHttp.Response started = request(u, "POST", "/api/kernels?token=" + jupyter.token, "{\"name\": \"python3\"}");
        assertThat(started.status()).isEqualTo(201);
        String kernel = JSON.readTree(started.body()).path("id").asText();
        try (KernelSocket ws = KernelSocket.open(tls(u), u.getRawAuthority(),
                "/api/kernels/" + kernel + "/channels?token=" + jupyter.token, SCHEME + "://" + u.getRawAuthority())) {
            String msgId = UUID.randomUUID().toString();
            ws.sendText(executeRequest(msgId, "print(6*7)"));
            StringBuilder printed = new StringBuilder();
            String replyStatus = null;
            boolean idle = false; // iopub's "idle" for our request follows all its output; the shell reply may come first
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((replyStatus == null || !idle) && System.nanoTime() < deadline) {
                JsonNode m = JSON.readTree(ws.readText());
                if (!msgId.equals(m.path("parent_header").path("msg_id").asText())) {
                    continue;
                }
                String type = m.path("msg_type").asText(m.path("header").path("msg_type").asText());
                if (type.equals("stream")) {
                    printed.append(m.path("content").path("text").asText());
                } else if (type.equals("execute_reply")) {
                    replyStatus = m.path("content").path("status").asText();
                } else if (type.equals("status") && m.path("content").path("execution_state").asText().equals("idle")) {
                    idle = true;
                }
            }
            assertThat(replyStatus).isEqualTo("ok");
            assertThat(idle).isTrue();
            assertThat(printed.toString()).isEqualTo("42\n");
        } finally {
            request(u, "DELETE", "/api/kernels/" + kernel + "?token=" + jupyter.token, null);
        }
    }

    @Test
    void theInspectorPrintedBesideTheUrlListsTheKernelsRestCallAndItsChannelWithFramesEachWay() throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^  " + java.util.regex.Pattern.quote(url)
                + "\n  inspect (http://127\\.0\\.0\\.1:\\d+)$").matcher(output);
        assertThat(m.find()).as(output).isTrue();
        String inspector = m.group(1);
        URI u = URI.create(url);
        RawHttp.Response started = request(u, "POST", "/api/kernels?token=" + jupyter.token, "{\"name\": \"python3\"}");
        assertThat(started.status()).isEqualTo(201);
        String kernel = JSON.readTree(started.body()).path("id").asText();
        String channel = "/api/kernels/" + kernel + "/channels";
        try (KernelSocket ws = KernelSocket.open(tls(u), u.getRawAuthority(), channel + "?token=" + jupyter.token,
                SCHEME + "://" + u.getRawAuthority())) {
            String msgId = UUID.randomUUID().toString();
            ws.sendText(executeRequest(msgId, "print(6*7)"));
            int received = 0;
            boolean idle = false;
            while (!idle) {
                JsonNode msg = JSON.readTree(ws.readText());
                received++;
                idle = msgId.equals(msg.path("parent_header").path("msg_id").asText())
                        && msg.path("content").path("execution_state").asText().equals("idle");
            }
            JsonNode rest = awaitInspected(inspector, e -> e.path("method").asText().equals("POST")
                    && e.path("path").asText().equals("/api/kernels?token=••••••") && e.path("status").asInt() == 201);
            assertThat(rest.path("request_headers").toString()).contains("x-forwarded-proto");
            int messages = received;
            JsonNode upgrade = awaitInspected(inspector, e -> e.path("websocket").asBoolean()
                    && e.path("path").asText().equals(channel + "?token=••••••") && e.path("frames_out").asInt() >= messages);
            assertThat(upgrade.path("status").asInt()).isEqualTo(101);
            assertThat(upgrade.path("frames_in").asInt()).as("the execute request, and any pong").isGreaterThanOrEqualTo(1);
        } finally {
            request(u, "DELETE", "/api/kernels/" + kernel + "?token=" + jupyter.token, null);
        }
    }

    private static JsonNode awaitInspected(String inspector, java.util.function.Predicate<JsonNode> match) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode list = null;
        while (System.nanoTime() < deadline) {
            list = JSON.readTree(http.send(java.net.http.HttpRequest.newBuilder(URI.create(inspector + "/api/requests")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode e : list) {
                if (match.test(e)) {
                    return e;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not in the inspector's list: " + list);
    }

    @Test
    @RequiresProgram(value = HeadlessChromium.PROGRAM, debianPackage = "chromium")
    void headlessChromiumOpensTheNotebookThroughTheRelayRunsACellAndShows42() throws Exception {
        URI u = URI.create(url);
        String notebook = "{\"type\": \"notebook\", \"format\": \"json\", \"content\": {\"cells\": [{\"cell_type\": \"code\","
                + " \"source\": \"\", \"metadata\": {}, \"outputs\": [], \"execution_count\": null}], \"metadata\": {},"
                + " \"nbformat\": 4, \"nbformat_minor\": 5}}";
        assertThat(request(u, "PUT", "/api/contents/browser.ipynb?token=" + jupyter.token, notebook).status()).isEqualTo(201);

        // Chromium accepts the relay's certificate by its key alone, as the targeted alternative to trusting
        // the test CA system-wide; it still checks everything for any other certificate.
        String spki = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(certificate.certificate().getPublicKey().getEncoded()));
        try (HeadlessChromium chromium = HeadlessChromium.start(dir, List.of("--ignore-certificate-errors-spki-list=" + spki))) {
            chromium.navigate(SCHEME + "://" + u.getRawAuthority() + "/notebooks/browser.ipynb?token=" + jupyter.token);
            chromium.awaitValue("the notebook's kernel is connected and idle",
                    "typeof Jupyter !== 'undefined' && !!Jupyter.notebook && !!Jupyter.notebook.kernel"
                            + " && Jupyter.notebook.kernel.is_connected()"
                            + " && document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null",
                    JsonNode::asBoolean, Duration.ofSeconds(90));
            chromium.evaluate("(() => { const c = Jupyter.notebook.get_cell(0); c.set_text('print(6*7)');"
                    + " Jupyter.notebook.select(0); Jupyter.notebook.execute_cell(); return true; })()");
            JsonNode shown = chromium.awaitValue("the cell's output area shows the result",
                    "(() => { const o = document.querySelector('.output_area .output_subarea.output_stream pre');"
                            + " return o ? o.textContent : ''; })()",
                    v -> !v.asText().isEmpty(), Duration.ofSeconds(60));
            assertThat(shown.asText()).isEqualTo("42\n");
            assertThat(chromium.evaluate("location.origin").asText()).isEqualTo(SCHEME + "://" + u.getRawAuthority());
        }
    }

    @Test
    void withoutRemoteAccessTheCheckNamesTheNotebookOptionAndConfigFileAndFollowingThatAdviceFixesIt() throws Exception {
        Path home = dir.resolve("local-only");
        JupyterProcess localOnly = JupyterProcess.start(home, false);
        String advice;
        try (ClientCliProcess cli = startCli(localOnly, "localonly", home)) {
            advice = cli.awaitOutput(l -> l.startsWith("Check through the relay:"), CLI_OUTPUT_TIMEOUT);
            URI u = URI.create(advice.lines().map(String::strip).filter(l -> l.startsWith(SCHEME + "://")).findFirst().orElseThrow());
            assertThat(request(u, "GET", "/api/contents?token=" + localOnly.token, null).status())
                    .as("Jupyter itself refuses the public name").isEqualTo(403);
        } finally {
            localOnly.close();
        }
        Path config = localOnly.home.resolve(".jupyter").resolve("jupyter_notebook_config.py");
        assertThat(advice).contains("Check through the relay: Jupyter refuses requests for the public name: "
                        + "GET /api/contents with Host: localonly." + DOMAIN + ":" + relay.httpsAddress().getPort() + " answered 403",
                "Fix: restart Jupyter with --NotebookApp.allow_remote_access=True\n",
                "  or add this line to " + config + " and restart it:\n",
                "    c.NotebookApp.allow_remote_access = True\n");

        // Do what it says: the line into that file, Jupyter restarted; now the check passes.
        String line = advice.lines().filter(l -> l.startsWith("    c.")).findFirst().orElseThrow().strip();
        Files.createDirectories(config.getParent());
        Files.writeString(config, line + "\n");
        try (JupyterProcess restarted = JupyterProcess.start(home, false);
             ClientCliProcess cli = startCli(restarted, "localonly", home)) {
            String after = cli.awaitOutput(l -> l.startsWith("Check through the relay:"), CLI_OUTPUT_TIMEOUT);
            assertThat(after).contains("Check through the relay: ok: ");
        }
    }

    @Test
    void withoutAHostNameItIsATcpTunnelAndAServerNamedByPortAndTokenAloneIsReachable() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("no-runtime-files"));
        List<String> args = List.of("jupyter", "--server", "tcp://127.0.0.1:" + relay.controlAddress().getPort(),
                "--insecure-plaintext", "--token", TOKEN, "--port", String.valueOf(jupyter.port), "--no-qr");
        try (ClientCliProcess cli = ClientCliProcess.start(args, Map.of("HOME", jupyter.home.toString(),
                "JUPYTER_RUNTIME_DIR", empty.toString(), "JUPYTER_TOKEN", jupyter.token), dir.resolve("tcp-cli.log"))) {
            String out = cli.awaitOutput(l -> l.startsWith("Check through the relay:"), CLI_OUTPUT_TIMEOUT);
            String tcpUrl = out.lines().map(String::strip).filter(l -> l.startsWith("http://")).findFirst().orElseThrow();
            URI u = URI.create(tcpUrl);
            assertThat(out).contains("(unknown kind)").doesNotContain("\u2588");
            assertThat(tcpUrl).isEqualTo("http://127.0.0.1:" + u.getPort() + "/?token=" + jupyter.token);
            assertThat(u.getPort()).isNotEqualTo(jupyter.port).isNotEqualTo(relay.httpAddress().getPort())
                    .isNotEqualTo(relay.httpsAddress().getPort());
            assertThat(out).contains("Check through the relay: ok: ");
            try (RawHttp c = new RawHttp(new InetSocketAddress("127.0.0.1", u.getPort()))) {
                RawHttp.Response r = c.send(RawHttp.get(u.getRawAuthority(), "/api/contents?token=" + jupyter.token,
                        "Connection: close")).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).contains("\"type\": \"directory\"");
            }
        }
    }

    // ---- fixtures ----

    /** The CLI as a user runs it, trusting the test CA (as a public CA would be) for its check through HTTPS. */
    private ClientCliProcess startCli(JupyterProcess j, String hostname, Path logDir) throws Exception {
        return ClientCliProcess.start(cliTrust, List.of("jupyter", "--server", "tcp://127.0.0.1:" + relay.controlAddress().getPort(),
                        "--insecure-plaintext", "--token", TOKEN, "--hostname", hostname),
                Map.of("HOME", j.home.toString(), "JUPYTER_RUNTIME_DIR", j.runtimeDir.toString(),
                        "JUPYTER_CONFIG_DIR", j.home.resolve(".jupyter").toString()),
                logDir.resolve("homeport-" + System.nanoTime() + ".log"));
    }

    /** One request through the relay's public HTTPS port, with the public Host, as a browser that resolved it. */
    private RawHttp.Response request(URI publicUrl, String method, String path, String body) throws Exception {
        try (RawHttp c = new RawHttp(tls(publicUrl))) {
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + publicUrl.getRawAuthority()
                    + "\r\nConnection: close\r\n");
            byte[] payload = body == null ? new byte[0] : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (body != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
            }
            c.send(head.append("\r\n").toString());
            c.send(payload);
            return c.read();
        }
    }

    /**
     * A TLS connection to the URL's port on loopback (where {@code .localhost} names go), with the host
     * as SNI, its certificate checked against the test CA and the host name, as a browser does.
     */
    private SSLSocket tls(URI publicUrl) throws Exception {
        assertThat(publicUrl.getScheme()).isEqualTo("https");
        Socket raw = new Socket();
        try {
            raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), publicUrl.getPort()), 5_000);
            SSLSocket s = (SSLSocket) trustsTheTestCa.getSocketFactory().createSocket(raw, publicUrl.getHost(), publicUrl.getPort(), true);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(publicUrl.getHost())));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.setSoTimeout(30_000);
            s.startHandshake();
            return s;
        } catch (Exception e) {
            raw.close();
            throw e;
        }
    }

    private static String executeRequest(String msgId, String code) throws Exception {
        ObjectNode m = JSON.createObjectNode();
        m.putObject("header").put("msg_id", msgId).put("username", "e2e").put("session", UUID.randomUUID().toString())
                .put("msg_type", "execute_request").put("version", "5.3");
        m.putObject("parent_header");
        m.putObject("metadata");
        m.putObject("content").put("code", code).put("silent", false).put("store_history", false).put("allow_stdin", false)
                .put("stop_on_error", true).putObject("user_expressions");
        m.put("channel", "shell");
        m.putArray("buffers");
        return JSON.writeValueAsString(m);
    }

    /**
     * Reads the printed half blocks back as pixels (a block is light, a blank dark), 4 per module, for
     * ZXing, as the exact symbol it is (PURE_BARCODE): ZXing's finder-pattern search missed about one
     * code in sixteen at this scale. The code is square, so a code of odd size ends in a half row that
     * is no module: it is left out.
     */
    static String decodeQr(List<String> lines) throws Exception {
        int width = lines.get(0).length();
        assertThat(lines).as("a square code: two module rows per line").hasSize((width + 1) / 2);
        int scale = 4;
        int w = width * scale;
        int h = width * scale;
        byte[] pixels = new byte[w * h];
        for (int row = 0; row < lines.size(); row++) {
            for (int x = 0; x < width; x++) {
                char c = lines.get(row).charAt(x);
                for (int half = 0; half < 2; half++) {
                    boolean light = half == 0 ? c == '\u2588' || c == '\u2580' : c == '\u2588' || c == '\u2584';
                    for (int dy = 0; dy < scale; dy++) {
                        int y = (row * 2 + half) * scale + dy;
                        for (int dx = 0; dx < scale && y < h; dx++) {
                            pixels[y * w + x * scale + dx] = (byte) (light ? 255 : 0);
                        }
                    }
                }
            }
        }
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(
                new PlanarYUVLuminanceSource(pixels, w, h, 0, 0, w, h, false))),
                Map.of(com.google.zxing.DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
    }

    private <T extends AutoCloseable> T track(T resource) {
        open.add(resource);
        return resource;
    }
}
