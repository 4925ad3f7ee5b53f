package dev.homeport.server.admin;

import dev.homeport.server.access.BasicCredentials;
import dev.homeport.cli.BuildInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.IntSupplier;

/**
 * The admin port's two pages: {@code /metrics} in Prometheus text format and {@code /health}, which
 * answers 503 {@code draining} while the relay shuts down, so a load balancer or monitor sees it go. In
 * a cluster it also says {@code "registry":"ok"} or {@code "stale"}, and answers 503 while stale: a relay
 * that cannot renew its claims should get no new clients from a load balancer.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** In /health, so an operator sees which build answers (version and commit, JSON-safe: from the build). */
    private static final BuildInfo BUILD = BuildInfo.current();
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private final PrometheusMeterRegistry registry;
    private final IntSupplier clients;
    private final BooleanSupplier draining;
    /** The dashboard's data, or {@code null} for metrics and health only. */
    private final DashboardSource dashboard;
    /** Credentials every request must carry (--admin-auth), or {@code null}. */
    private final BasicCredentials auth;
    /** The cluster registry's health, or {@code null} for a relay without one. */
    private final Supplier<String> registryHealth;

    AdminHandler(PrometheusMeterRegistry registry, IntSupplier clients, BooleanSupplier draining) {
        this(registry, clients, draining, null, null, null);
    }

    AdminHandler(PrometheusMeterRegistry registry, IntSupplier clients, BooleanSupplier draining, DashboardSource dashboard,
                 BasicCredentials auth, Supplier<String> registryHealth) {
        this.registryHealth = registryHealth;
        this.registry = registry;
        this.clients = clients;
        this.draining = draining;
        this.dashboard = dashboard;
        this.auth = auth;
    }

    /**
     * A scraper's idle keep-alive connection timing out ({@link AdminListener#IDLE_SECONDS}) or going
     * away is how connections here end, not an error; anything else is logged. Either way it closes.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ReadTimeoutException || cause instanceof IOException) {
            log.debug("event=admin_connection_ended remote={} reason=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("event=admin_connection_failed remote={}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        FullHttpResponse response;
        if (auth != null && !auth.matches(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            response = text(ctx, HttpResponseStatus.UNAUTHORIZED, "text/plain", "the admin port asks for a password\n");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"homeport admin\", charset=\"UTF-8\"");
        } else if (dashboard != null && request.method().equals(HttpMethod.GET) && DashboardPage.serves(path)) {
            response = DashboardPage.answer(ctx, path, dashboard);
        } else if (!request.method().equals(HttpMethod.GET)) {
            response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "GET only\n");
        } else if (path.equals("/metrics")) {
            response = text(ctx, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        } else if (path.equals("/health")) {
            boolean stopping = draining.getAsBoolean();
            String cluster = registryHealth == null ? null : registryHealth.get();
            boolean unavailable = stopping || "stale".equals(cluster);
            response = text(ctx, unavailable ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK, "application/json",
                    "{\"status\":\"" + (stopping ? "draining" : "up") + "\""
                            + (cluster == null ? "" : ",\"registry\":\"" + cluster + "\"") + ",\"clients\":" + clients.getAsInt()
                            + ",\"version\":\"" + BUILD.version() + "\",\"commit\":\"" + BUILD.commit() + "\"}\n");
        } else {
            response = text(ctx, HttpResponseStatus.NOT_FOUND, "text/plain", "not found: try /metrics or /health\n");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body) {
        ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return r;
    }
}
