package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiredPrograms;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Debian's headless Chromium, driven over the DevTools protocol on loopback: navigate to a page and
 * evaluate JavaScript in it. The debugging port is chosen by Chromium and read from the
 * DevToolsActivePort file in its own profile directory.
 */
final class HeadlessChromium implements AutoCloseable {
    static final String PROGRAM = "chromium";
    /** Start-up, until the DevTools port is written. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** One DevTools command and its answer. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExternalProcess process;
    private final WebSocket page;
    private final BlockingQueue<JsonNode> messages;
    private final AtomicInteger ids = new AtomicInteger();

    private HeadlessChromium(ExternalProcess process, WebSocket page, BlockingQueue<JsonNode> messages) {
        this.process = process;
        this.page = page;
        this.messages = messages;
    }

    static HeadlessChromium start(Path dir) throws Exception {
        return start(dir, List.of());
    }

    /** With {@code extraFlags} on Chromium's command line (such as {@code --ignore-certificate-errors-spki-list=...}). */
    static HeadlessChromium start(Path dir, List<String> extraFlags) throws Exception {
        Path binary = RequiredPrograms.require(PROGRAM, "chromium");
        Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
        List<String> command = new java.util.ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-breakpad", "--disable-crash-reporter",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile));
        command.addAll(extraFlags);
        command.add("about:blank");
        ExternalProcess p = ExternalProcess.start("chromium", command, Map.of(), dir.resolve("chromium.log"));
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!(Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2)) {
                if (!p.alive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Chromium did not open its DevTools port:\n" + p.output());
                }
                Thread.sleep(100);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            HttpClient http = HttpClient.newHttpClient();
            JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .timeout(COMMAND_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString()).body());
            String ws = null;
            for (JsonNode t : targets) {
                if ("page".equals(t.path("type").asText())) {
                    ws = t.path("webSocketDebuggerUrl").asText();
                }
            }
            if (ws == null) {
                throw new IllegalStateException("Chromium shows no page target: " + targets);
            }
            BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(COMMAND_TIMEOUT)
                    .buildAsync(URI.create(ws), new Collector(queue)).get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new HeadlessChromium(p, socket, queue);
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    void navigate(String url) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("url", url);
        JsonNode r = call("Page.navigate", params);
        if (r.has("errorText")) {
            throw new IllegalStateException("navigation to " + url + " failed: " + r.path("errorText").asText());
        }
    }

    /** Evaluates {@code expression} in the page and returns its value (JSON), awaiting a promise. */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("page threw on " + expression + ": " + r.path("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** Evaluates {@code expression} every 100 ms until {@code accept} takes its value; returns that value. */
    JsonNode awaitValue(String what, String expression, Predicate<JsonNode> accept, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = evaluate(expression);
            if (accept.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within " + limit + ": " + what + " (last value: " + last + ")");
    }

    /** Sends {@code headers} with every request the page makes from now on (e.g. Authorization). */
    void extraHeaders(Map<String, String> headers) throws Exception {
        call("Network.enable", JSON.createObjectNode());
        ObjectNode h = JSON.createObjectNode();
        headers.forEach(h::put);
        ObjectNode params = JSON.createObjectNode();
        params.set("headers", h);
        call("Network.setExtraHTTPHeaders", params);
    }

    /** Writes a PNG of the page as a {@code width}x{@code height} window shows it. */
    void screenshot(Path png, int width, int height) throws Exception {
        call("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", width).put("height", height)
                .put("deviceScaleFactor", 1).put("mobile", false));
        JsonNode shot = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, java.util.Base64.getDecoder().decode(shot.path("data").asText()));
    }

    private JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", params);
        page.sendText(JSON.writeValueAsString(msg), true).get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
        while (true) {
            JsonNode m = messages.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new IllegalStateException("no answer to " + method + " within " + COMMAND_TIMEOUT);
            }
            if (m.path("id").asInt(-1) == id) {
                if (m.has("error")) {
                    throw new IllegalStateException(method + " failed: " + m.path("error"));
                }
                return m.path("result");
            } // events and older answers are not needed
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            page.abort();
        } finally {
            process.close();
        }
    }

    /** Gathers a message's text parts and queues each whole message. */
    private static final class Collector implements WebSocket.Listener {
        private final BlockingQueue<JsonNode> queue;
        private final StringBuilder partial = new StringBuilder();

        Collector(BlockingQueue<JsonNode> queue) {
            this.queue = queue;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    queue.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException("DevTools sent a message that is not JSON", e);
                } finally {
                    partial.setLength(0);
                }
            }
            ws.request(1);
            return null;
        }
    }
}
