package dev.homeport.client.transport;

import java.net.URI;
import java.util.Locale;

/**
 * Where the relay is, as the user writes it: {@code HOST:PORT} (TLS), {@code tls://HOST:PORT},
 * {@code tcp://HOST:PORT} (plaintext), or {@code wss://HOST[:PORT][/PATH]} / {@code ws://...} for
 * the WebSocket transport (default path {@value #DEFAULT_WS_PATH}).
 */
public record RelayAddress(String scheme, String host, int port, String path) {
    public static final String DEFAULT_WS_PATH = "/_homeport";

    public boolean plaintext() {
        return scheme.equals("tcp") || scheme.equals("ws");
    }

    public boolean webSocket() {
        return scheme.equals("ws") || scheme.equals("wss");
    }

    /** The key under which the known-relays file remembers this relay. */
    public String hostPort() {
        return relayHost().hostPort();
    }

    public RelayHost relayHost() {
        return new RelayHost(host, port);
    }

    public static RelayAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--server is required: HOST:PORT or wss://HOST/PATH");
        }
        String t = text.trim();
        String scheme = "tls";
        int sep = t.indexOf("://");
        if (sep >= 0) {
            scheme = t.substring(0, sep).toLowerCase(Locale.ROOT);
            if (!scheme.matches("tls|tcp|wss|ws")) {
                throw new IllegalArgumentException("--server scheme must be tls, tcp, wss or ws, got '" + scheme + "://'");
            }
        }
        URI uri;
        try {
            uri = URI.create((sep >= 0 ? scheme + t.substring(sep) : "tls://" + t));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--server must be HOST:PORT or wss://HOST/PATH, got '" + text + "'");
        }
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("--server must be HOST:PORT or wss://HOST/PATH, got '" + text + "'");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean ws = scheme.equals("ws") || scheme.equals("wss");
        int port = uri.getPort();
        if (port < 0) {
            if (!ws) {
                throw new IllegalArgumentException("--server needs a port, e.g. " + host + ":7700, got '" + text + "'");
            }
            port = scheme.equals("wss") ? 443 : 80;
        }
        String path = uri.getRawPath();
        if (!ws) {
            if (path != null && !path.isEmpty()) {
                throw new IllegalArgumentException("--server " + scheme + ":// takes no path, got '" + text + "'");
            }
            path = null;
        } else if (path == null || path.isEmpty() || path.equals("/")) {
            path = DEFAULT_WS_PATH;
        }
        return new RelayAddress(scheme, host, port, path);
    }
}
