package dev.homeport.server.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Tells the service behind a tunnel who asked: {@code X-Forwarded-For}, {@code -Proto}, {@code -Host}
 * and {@code Forwarded} (RFC 7239). From a trusted proxy, what it sent is kept and this hop appended;
 * from anyone else such headers are lies until proven otherwise, so they are removed first.
 */
final class ForwardedHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    static final AsciiString FORWARDED = AsciiString.cached("forwarded");

    /** Headers that claim to describe the client; only a trusted proxy may send them. */
    static final List<AsciiString> CLAIMS = List.of(X_FORWARDED_FOR, X_FORWARDED_PROTO, X_FORWARDED_HOST,
            X_FORWARDED_PORT, X_REAL_IP, FORWARDED);

    private ForwardedHeaders() {
    }

    /**
     * @param peer    the address the request came from
     * @param trusted whether {@code peer} is a trusted proxy
     * @param proto   the scheme this hop was received with ({@code http} or {@code https})
     */
    static void apply(HttpHeaders headers, InetAddress peer, boolean trusted, String proto) {
        String host = headers.get(HttpHeaderNames.HOST, "");
        String ip = peer.getHostAddress();
        String element = "for=" + quoted(peer instanceof Inet6Address ? "[" + ip + "]" : ip)
                + ";host=" + quoted(host) + ";proto=" + proto;
        if (!trusted) {
            CLAIMS.forEach(headers::remove);
            headers.set(X_FORWARDED_FOR, ip);
            headers.set(X_FORWARDED_PROTO, proto);
            headers.set(X_FORWARDED_HOST, host);
            headers.set(FORWARDED, element);
            return;
        }
        headers.set(X_FORWARDED_FOR, append(headers.getAll(X_FORWARDED_FOR), ip));
        headers.set(FORWARDED, append(headers.getAll(FORWARDED), element));
        if (!headers.contains(X_FORWARDED_PROTO)) {
            headers.set(X_FORWARDED_PROTO, proto);
        }
        if (!headers.contains(X_FORWARDED_HOST)) {
            headers.set(X_FORWARDED_HOST, host);
        }
    }

    private static String append(List<String> previous, String value) {
        return previous.isEmpty() ? value : String.join(", ", previous) + ", " + value;
    }

    /** A token as is, anything else (an IPv6 literal, host:port) as an RFC 7230 quoted string. */
    private static String quoted(String value) {
        boolean token = !value.isEmpty();
        for (int i = 0; i < value.length() && token; i++) {
            char c = value.charAt(i);
            token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
        return token ? value : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
