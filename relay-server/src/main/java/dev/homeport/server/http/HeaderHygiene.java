package dev.homeport.server.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What of a public request's header fields may reach the service. Two classes of field never do:
 *
 * <p><b>Names of anything but letters, digits and {@code -}</b> (nginx's default, {@code
 * ignore_invalid_headers on} with {@code underscores_in_headers off}). CGI, WSGI, Rack and PHP turn
 * {@code -} into {@code _} (and some any other symbol too), so {@code X_Forwarded_For} lands in the
 * same {@code HTTP_X_FORWARDED_FOR} as the {@code X-Forwarded-For} the relay sets, and a service sees
 * {@code 6.6.6.6,127.0.0.1}. Every such name is dropped, not only those that normalise to a field the
 * relay sets or strips: the relay cannot know which fields a service (or a layer its owner puts in
 * front of it) trusts, and browsers and common clients never send such names, as nginx's default shows.
 *
 * <p><b>Hop-by-hop fields</b> (RFC 9110, 7.6.1): each field named in {@code Connection}, and Keep-Alive,
 * Proxy-Connection, Proxy-Authorization and TE. The public connection and the service's are spliced
 * into one path whose answers pass back unparsed, so the {@code close}, {@code keep-alive} and {@code
 * upgrade} options stay (a WebSocket needs {@code Connection: Upgrade} with {@code Upgrade}); an {@code
 * Upgrade} without the {@code upgrade} option goes. The relay's own forwarding headers are set after
 * this, so {@code Connection: X-Forwarded-For} cannot remove them. A request that names Host,
 * Content-Length or Transfer-Encoding in Connection is refused ({@link RequestChecks}): removing the
 * fields that frame and route it would let the service frame it differently from the relay.
 *
 * <p>Chunked trailers get the same rules plus the forwarding headers and Host, whoever sent them:
 * some servers merge trailers into the header set.
 */
final class HeaderHygiene {
    /** Connection options that describe the spliced path end to end, and so stay. */
    private static final Set<String> KEPT_OPTIONS = Set.of("close", "keep-alive", "upgrade");
    /** Fields that frame or route the request: the relay keeps its own view of them, so none may be a connection option. */
    static final Set<String> FRAMING = Set.of("host", "content-length", "transfer-encoding");
    /** Hop-by-hop whether or not Connection names them (RFC 9110, 7.6.1; RFC 9112, C.2.2). */
    private static final List<AsciiString> HOP_BY_HOP = List.of(HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE);

    private HeaderHygiene() {
    }

    /** The options of every Connection field, lowercased, in order. */
    static List<String> connectionOptions(HttpHeaders headers) {
        List<String> options = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String option : value.split(",")) {
                String o = option.trim().toLowerCase(Locale.ROOT);
                if (!o.isEmpty()) {
                    options.add(o);
                }
            }
        }
        return options;
    }

    /**
     * Cleans a request head before the relay adds its forwarding headers.
     *
     * @return the fields the request declared hop-by-hop, to be removed from its trailers too
     */
    static Set<String> cleanHead(HttpHeaders headers) {
        dropInvalidNames(headers);
        Set<String> hopByHop = new HashSet<>();
        List<String> kept = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String option : value.split(",")) {
                String o = option.trim();
                String lower = o.toLowerCase(Locale.ROOT);
                if (KEPT_OPTIONS.contains(lower)) {
                    kept.add(o);
                } else if (!lower.isEmpty()) {
                    hopByHop.add(lower);
                }
            }
        }
        hopByHop.forEach(headers::remove);
        HOP_BY_HOP.forEach(headers::remove);
        headers.remove(HttpHeaderNames.CONNECTION);
        if (!kept.isEmpty()) {
            headers.set(HttpHeaderNames.CONNECTION, String.join(", ", kept));
        }
        if (kept.stream().noneMatch(o -> o.equalsIgnoreCase("upgrade"))) {
            headers.remove(HttpHeaderNames.UPGRADE);
        }
        return hopByHop;
    }

    /** Cleans the trailers of a chunked request whose head declared {@code hopByHop}. */
    static void cleanTrailers(HttpHeaders trailers, Set<String> hopByHop) {
        if (trailers.isEmpty()) {
            return;
        }
        dropInvalidNames(trailers);
        hopByHop.forEach(trailers::remove);
        HOP_BY_HOP.forEach(trailers::remove);
        ForwardedHeaders.CLAIMS.forEach(trailers::remove);
        trailers.remove(HttpHeaderNames.CONNECTION);
        trailers.remove(HttpHeaderNames.UPGRADE);
        trailers.remove(HttpHeaderNames.HOST);
    }

    private static void dropInvalidNames(HttpHeaders headers) {
        List<String> invalid = null;
        for (String name : headers.names()) {
            if (!plainName(name)) {
                if (invalid == null) {
                    invalid = new ArrayList<>(2);
                }
                invalid.add(name);
            }
        }
        if (invalid != null) {
            invalid.forEach(headers::remove);
        }
    }

    /** Letters, digits and {@code -} only: the names no gateway rewrites into another's. */
    static boolean plainName(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return !name.isEmpty();
    }
}
