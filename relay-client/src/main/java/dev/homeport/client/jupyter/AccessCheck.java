package dev.homeport.client.jupyter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Asks Jupyter, through the live tunnel, whether it accepts what a browser or Juno will send: a REST
 * call carrying the public Host header, then a WebSocket upgrade with a login cookie and the public
 * Origin. Jupyter turns such requests away (403) unless told the name is fine; the verdict then
 * names the exact option and config file to change.
 */
public final class AccessCheck {
    /** Default limit for each request of the check. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code ok}, a one-line {@code summary}, and the lines of the fix when not ok. */
    public record Verdict(boolean ok, String summary, List<String> fix) {
        public String text() {
            StringBuilder b = new StringBuilder(summary).append('\n');
            fix.forEach(l -> b.append(l).append('\n'));
            return b.toString();
        }
    }

    private final JupyterServer server;
    private final URI publicOrigin;
    private final Path configDir;
    private final Duration timeout;

    /**
     * @param publicOrigin scheme://host[:port] of the tunnel, as the iPad reaches it
     * @param configDir    Jupyter's config directory, named in the advice
     */
    public AccessCheck(JupyterServer server, URI publicOrigin, Path configDir, Duration timeout) {
        this.server = server;
        this.publicOrigin = publicOrigin;
        this.configDir = configDir;
        this.timeout = timeout;
    }

    /** Jupyter's config directory: {@code $JUPYTER_CONFIG_DIR}, else {@code ~/.jupyter}. */
    public static Path configDir(Map<String, String> env, Path home) {
        String dir = env.get("JUPYTER_CONFIG_DIR");
        return dir != null && !dir.isBlank() ? Path.of(dir) : home.resolve(".jupyter");
    }

    public Verdict run() {
        String origin = originHeader();
        String api = server.baseUrl() + "api/contents";
        try {
            if (!server.secure()) { // a self-signed local certificate would fail here for reasons of its own
                ProbeRequest.Response local = ProbeRequest.send(URI.create(server.localUrl()), "GET", api,
                        Map.of("Authorization", "token " + server.token()), null, timeout);
                if (local.status() == 401 || local.status() == 403) {
                    return refused("Jupyter at " + server.localUrl() + " refuses the token (" + local.status()
                            + " to GET " + api + " on this machine).", List.of(
                            "Fix: pass Jupyter's own token with --jupyter-token (or JUPYTER_TOKEN); "
                                    + "`jupyter " + (server.kind() == JupyterServer.Kind.NOTEBOOK ? "notebook" : "server")
                                    + " list` shows it."));
                }
            }
            ProbeRequest.Response rest = ProbeRequest.send(publicOrigin, "GET", api,
                    Map.of("Authorization", "token " + server.token(), "Origin", origin), null, timeout);
            if (rest.status() == 403) {
                return refused("Jupyter refuses requests for the public name: GET " + api + " with Host: "
                        + publicOrigin.getRawAuthority() + " answered 403 (Jupyter accepts only local host names "
                        + "unless allow_remote_access is on).", fix("allow_remote_access", "True", "True"));
            }
            if (rest.status() != 200) {
                return refused("GET " + api + " through " + publicOrigin + " answered " + rest.status() + ": "
                        + firstLine(rest.body()), List.of("The tunnel does not reach Jupyter; check the relay's answer above."));
            }
            return checkWebSocket(origin, rest.cookies());
        } catch (IOException e) {
            return refused("cannot complete the check through " + publicOrigin + ": " + e.getMessage(), List.of());
        }
    }

    private Verdict checkWebSocket(String origin, List<String> cookies) throws IOException {
        if (server.kind() == JupyterServer.Kind.SERVER) { // jupyter_server 2 has an event stream: no kernel needed
            Verdict events = checkWebSocket(origin, cookies, server.baseUrl() + "api/events/subscribe");
            if (events != null) {
                return events;
            }
        }
        String kernel = firstKernel();
        boolean started = kernel == null;
        try {
            if (started) {
                kernel = startKernel();
            }
            Verdict v = checkWebSocket(origin, cookies, server.baseUrl() + "api/kernels/" + kernel + "/channels");
            return v != null ? v : refused("the WebSocket of kernel " + kernel + " is not found (404) through " + publicOrigin,
                    List.of("Kernels will not run from the iPad; check Jupyter's log for the reason."));
        } finally {
            if (started && kernel != null) {
                ProbeRequest.send(publicOrigin, "DELETE", server.baseUrl() + "api/kernels/" + kernel,
                        Map.of("Authorization", "token " + server.token()), null, timeout);
            }
        }
    }

    /** The verdict of one WebSocket upgrade to {@code path}, or {@code null} if there is no such endpoint (404). */
    private Verdict checkWebSocket(String origin, List<String> cookies, String path) throws IOException {
        // Like the notebook page: authenticated by the login cookie, so that Jupyter checks the Origin.
        Map<String, String> headers = upgradeHeaders();
        headers.put("Origin", origin);
        String target = path;
        if (cookies.isEmpty()) {
            target = path + "?token=" + URLEncoder.encode(server.token(), StandardCharsets.UTF_8);
        } else {
            headers.put("Cookie", String.join("; ", cookies));
        }
        ProbeRequest.Response ws = ProbeRequest.send(publicOrigin, "GET", target, headers, null, timeout);
        if (ws.status() == 101) {
            return new Verdict(true, "ok: Jupyter answers REST and WebSocket requests through " + publicOrigin
                    + " (Host and Origin accepted).", List.of());
        }
        if (ws.status() == 403) {
            headers.remove("Origin");
            ProbeRequest.Response withoutOrigin = ProbeRequest.send(publicOrigin, "GET", target, headers, null, timeout);
            if (withoutOrigin.status() == 101) {
                return refused("Jupyter refuses WebSockets from the origin " + origin + ": GET " + path
                        + " answered 403 with that Origin and 101 without it.", fix("allow_origin", "'" + origin + "'", origin));
            }
        }
        if (ws.status() == 404) {
            return null;
        }
        return refused("the WebSocket upgrade to " + path + " through " + publicOrigin + " answered " + ws.status()
                + " instead of 101: " + firstLine(ws.body()), List.of(
                "Kernels will not run from the iPad; check Jupyter's log for the reason."));
    }

    private String firstKernel() throws IOException {
        ProbeRequest.Response r = ProbeRequest.send(publicOrigin, "GET", server.baseUrl() + "api/kernels",
                Map.of("Authorization", "token " + server.token()), null, timeout);
        JsonNode list = r.status() == 200 ? JSON.readTree(r.body()) : null;
        return list != null && list.isArray() && list.size() > 0 ? list.get(0).path("id").asText(null) : null;
    }

    private String startKernel() throws IOException {
        ProbeRequest.Response r = ProbeRequest.send(publicOrigin, "POST", server.baseUrl() + "api/kernels",
                Map.of("Authorization", "token " + server.token()), "{}", timeout);
        if (r.status() != 201 && r.status() != 200) {
            throw new IOException("starting a kernel for the WebSocket check answered " + r.status() + ": " + firstLine(r.body()));
        }
        String id = JSON.readTree(r.body()).path("id").asText("");
        if (!id.matches("[0-9a-fA-F-]{1,64}")) {
            throw new IOException("starting a kernel for the WebSocket check gave no kernel id");
        }
        return id;
    }

    private static Map<String, String> upgradeHeaders() {
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Upgrade", "websocket");
        h.put("Connection", "Upgrade");
        h.put("Sec-WebSocket-Key", Base64.getEncoder().encodeToString(nonce));
        h.put("Sec-WebSocket-Version", "13");
        return h;
    }

    /** What the browser sends: the page's scheme, host and port (the port only when not the default). */
    String originHeader() {
        return publicOrigin.getScheme() + "://" + publicOrigin.getRawAuthority();
    }

    /** The command-line flag and the config-file line, for the server's kind, or for both kinds when unknown. */
    private List<String> fix(String option, String pythonValue, String flagValue) {
        List<String> lines = new ArrayList<>();
        List<JupyterServer.Kind> kinds = server.kind() == JupyterServer.Kind.UNKNOWN
                ? List.of(JupyterServer.Kind.SERVER, JupyterServer.Kind.NOTEBOOK) : List.of(server.kind());
        for (JupyterServer.Kind k : kinds) {
            String prefix = kinds.size() > 1 ? "For " + k.label() + ": " : "";
            lines.add(prefix + "Fix: restart Jupyter with --" + k.app() + "." + option + "=" + flagValue);
            lines.add("  or add this line to " + configDir.resolve(k.configFile()) + " and restart it:");
            lines.add("    c." + k.app() + "." + option + " = " + pythonValue);
        }
        return lines;
    }

    private static Verdict refused(String summary, List<String> fix) {
        return new Verdict(false, summary, List.copyOf(fix));
    }

    private static String firstLine(String body) {
        String s = body.strip();
        int nl = s.indexOf('\n');
        s = nl >= 0 ? s.substring(0, nl) : s;
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
