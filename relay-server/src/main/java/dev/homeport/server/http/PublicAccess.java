package dev.homeport.server.http;

import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.Tunnel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;

/**
 * A tunnel's public access rules applied to one request, before it may reach the tunnel's client
 * (PROTOCOL.md, "Public access"): the redirect to HTTPS, then the allow list, then basic auth.
 * Matching basic credentials are removed from the request: they were for the relay, not the service.
 */
final class PublicAccess {
    /** Why a request is answered by the relay; {@code extraHeaders} are whole header lines, each ending CRLF. */
    record Refusal(HttpResponseStatus status, String message, String extraHeaders) {
    }

    static final String BASIC_CHALLENGE = "WWW-Authenticate: Basic realm=\"homeport\", charset=\"UTF-8\"\r\n";

    private PublicAccess() {
    }

    /**
     * @param scheme  how this request arrived, {@code http} or {@code https}
     * @param peer    the socket's peer address
     * @param trusted whether {@code peer} is a trusted proxy, whose last {@code X-Forwarded-For} entry is the client
     * @return {@code null} to forward the request, or the answer to give instead
     */
    static Refusal check(HttpRequest request, String host, Tunnel tunnel, HostRegistry hosts, String scheme, InetAddress peer,
                         boolean trusted) {
        return check(request, host, tunnel.access(), tunnel.announcedPlainHttp(), hosts, scheme, peer, trusted);
    }

    /**
     * As above, for a tunnel's rules wherever its client is (here, or on another relay of the cluster).
     *
     * @param announcedPlainHttp the client was told an http:// URL, which is then served without the redirect
     */
    static Refusal check(HttpRequest request, String host, AccessPolicy policy, boolean announcedPlainHttp, HostRegistry hosts,
                         String scheme, InetAddress peer, boolean trusted) {
        if (policy.httpsOnly() && scheme.equals("http") && hosts.servesHttps(host) && !announcedPlainHttp) {
            int port = hosts.httpsPort();
            String location = "https://" + host + (port == 443 ? "" : ":" + port) + pathOf(request.uri());
            return new Refusal(HttpResponseStatus.PERMANENT_REDIRECT, "This site is served over HTTPS: " + location,
                    "Location: " + location + "\r\n");
        }
        if (!policy.admits(trusted ? forwardedClient(request, peer) : peer)) {
            return new Refusal(HttpResponseStatus.FORBIDDEN, host + " is not open to your address.", "");
        }
        if (policy.basicAuth() != null) {
            String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (!policy.basicAuth().matches(authorization)) {
                return new Refusal(HttpResponseStatus.UNAUTHORIZED, host + " needs a user name and password.", BASIC_CHALLENGE);
            }
            request.headers().remove(HttpHeaderNames.AUTHORIZATION);
        }
        return null;
    }

    /** The path and query of a request target; an absolute-form target gives its own, anything odd gives "/". */
    private static String pathOf(String target) {
        if (target.startsWith("/")) {
            return target;
        }
        try {
            URI uri = URI.create(target);
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        } catch (IllegalArgumentException e) {
            return "/";
        }
    }

    /** The last address a trusted proxy put in X-Forwarded-For; the proxy itself if there is none or it is not a literal. */
    private static InetAddress forwardedClient(HttpRequest request, InetAddress proxy) {
        List<String> values = request.headers().getAll(ForwardedHeaders.X_FORWARDED_FOR);
        if (values.isEmpty()) {
            return proxy;
        }
        String last = values.get(values.size() - 1);
        String entry = last.substring(last.lastIndexOf(',') + 1).trim();
        if (entry.startsWith("[") && entry.endsWith("]")) {
            entry = entry.substring(1, entry.length() - 1);
        }
        InetAddress client = NetUtil.createInetAddressFromIpAddressString(entry); // a literal, or null: never a lookup
        return client == null ? proxy : client;
    }
}
