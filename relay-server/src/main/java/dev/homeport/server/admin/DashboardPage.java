package dev.homeport.server.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/** The admin port's dashboard: the page from the jar (no CDN, no build step), and the JSON it reads. */
final class DashboardPage {
    private static final byte[] PAGE = load("dashboard.html");
    private static final Set<String> PATHS = Set.of("/", "/api/tunnels", "/api/sessions", "/api/certificates", "/api/refusals",
            "/api/overview");

    private DashboardPage() {
    }

    static boolean serves(String path) {
        return PATHS.contains(path);
    }

    static FullHttpResponse answer(ChannelHandlerContext ctx, String path, DashboardSource source) {
        if (path.equals("/")) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(PAGE));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                    .set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, PAGE.length);
            return r;
        }
        Object body = switch (path) {
            case "/api/tunnels" -> DashboardJson.tunnels(source);
            case "/api/sessions" -> DashboardJson.sessions(source);
            case "/api/certificates" -> DashboardJson.certificates(source);
            case "/api/refusals" -> DashboardJson.recentRefusals(source);
            default -> DashboardJson.overview(source);
        };
        return AdminHandler.text(ctx, HttpResponseStatus.OK, "application/json", body + "\n");
    }

    private static byte[] load(String name) {
        try (InputStream in = DashboardPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
