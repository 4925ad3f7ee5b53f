package dev.homeport.client.transport;

import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * How the client's one connection reaches the relay: raw frames over TLS (the default) or over
 * plain TCP, or inside a WebSocket ({@code wss://}, through an HTTPS-only network and optionally an
 * HTTP proxy). The session above never knows which.
 *
 * @param tls     TLS context, or {@code null} for plaintext
 * @param wsPath  WebSocket path, or {@code null} for raw frames
 * @param proxy   HTTP CONNECT proxy, or {@code null}
 */
public record ClientTransport(SslContext tls, String wsPath, InetSocketAddress proxy) {
    public static ClientTransport plain() {
        return new ClientTransport(null, null, null);
    }

    public boolean webSocket() {
        return wsPath != null;
    }

    public String name() {
        return (webSocket() ? (tls != null ? "wss" : "ws") : (tls != null ? "tls" : "tcp"));
    }

    public ClientTransport withProxy(InetSocketAddress p) {
        return new ClientTransport(tls, wsPath, p);
    }

    /**
     * The proxy from {@code HTTPS_PROXY}/{@code https_proxy} (as curl reads it), unless
     * {@code NO_PROXY} lists the relay host; {@code null} when none applies.
     */
    public static InetSocketAddress proxyFromEnvironment(String relayHost) {
        return proxyFrom(System.getenv(), relayHost);
    }

    /** {@link #proxyFromEnvironment} over a given environment. */
    static InetSocketAddress proxyFrom(Map<String, String> env, String relayHost) {
        String value = firstNonBlank(env.get("HTTPS_PROXY"), env.get("https_proxy"));
        if (value == null) {
            return null;
        }
        String noProxy = firstNonBlank(env.get("NO_PROXY"), env.get("no_proxy"));
        if (noProxy != null) {
            for (String entry : noProxy.split(",")) {
                String e = entry.trim().toLowerCase(Locale.ROOT);
                String h = relayHost.toLowerCase(Locale.ROOT);
                String domain = e.startsWith(".") ? e.substring(1) : e; // a leading dot is ignored, as curl does
                if (e.equals("*") || (!domain.isEmpty() && (h.equals(domain) || h.endsWith("." + domain)))) {
                    return null;
                }
            }
        }
        URI uri = URI.create(value.contains("://") ? value : "http://" + value);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("HTTPS_PROXY must be http://HOST:PORT, got '" + value + "'");
        }
        // Resolved here: this side dials the proxy; only the relay's name is left for the proxy to resolve.
        InetSocketAddress proxy = new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 3128);
        if (proxy.isUnresolved()) {
            throw new IllegalArgumentException("HTTPS_PROXY host '" + uri.getHost() + "' does not resolve");
        }
        return proxy;
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : (b != null && !b.isBlank() ? b : null);
    }
}
