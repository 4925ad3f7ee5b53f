package dev.homeport.client.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.NetUtil;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The inspector's HTTP side: {@code /} the page (from the jar), {@code /api/requests} (newest first),
 * {@code /api/requests/{id}}, {@code POST /api/requests/{id}/replay}, and {@code /api/events}, a
 * server-sent event per new or updated exchange. A request whose Host is not a loopback name or the
 * inspector's own address is refused (a web page reached by DNS rebinding must not read it), and a
 * replay must be sent as JSON, which a cross-site form cannot do without a CORS preflight, never answered.
 */
final class InspectorPage extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String PAGE = "inspector.html";
    private static final byte[] PAGE_BYTES = load(PAGE);
    private static final Pattern ONE = Pattern.compile("/api/requests/(\\d+)");
    private static final Pattern REPLAY = Pattern.compile("/api/requests/(\\d+)/replay");

    private final ExchangeRing ring;
    private final ExchangeJson json;
    private final Replayer replayer;
    private final InspectSettings settings;
    private Consumer<Exchange> events;

    InspectorPage(ExchangeRing ring, ExchangeJson json, Replayer replayer, InspectSettings settings) {
        this.ring = ring;
        this.json = json;
        this.replayer = replayer;
        this.settings = settings;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!hostAllowed(request.headers().get(HttpHeaderNames.HOST), ctx)) {
            send(ctx, keepAlive, text(HttpResponseStatus.FORBIDDEN, "the inspector answers only to its own address\n"));
            return;
        }
        Matcher replay = REPLAY.matcher(path);
        Matcher one = ONE.matcher(path);
        if (request.method().equals(HttpMethod.POST) && replay.matches()) {
            replay(ctx, keepAlive, Long.parseLong(replay.group(1)), request);
        } else if (!request.method().equals(HttpMethod.GET)) {
            send(ctx, keepAlive, text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET, or POST to /api/requests/ID/replay\n"));
        } else if (path.equals("/")) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(PAGE_BYTES));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                    .set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'");
            send(ctx, keepAlive, r);
        } else if (path.equals("/api/requests")) {
            send(ctx, keepAlive, json(ctx, HttpResponseStatus.OK, json.list(ring.newestFirst())));
        } else if (path.equals("/api/info")) {
            send(ctx, keepAlive, json(ctx, HttpResponseStatus.OK, ExchangeJson.MAPPER.createObjectNode()
                    .put("capacity", settings.capacity()).put("body_limit", settings.bodyLimit())
                    .put("show_secrets", settings.showSecrets()).put("exposed", settings.exposed())));
        } else if (path.equals("/api/events")) {
            stream(ctx);
        } else if (one.matches()) {
            Exchange e = ring.get(Long.parseLong(one.group(1)));
            send(ctx, keepAlive, e == null ? error(ctx, HttpResponseStatus.NOT_FOUND, "no request " + one.group(1) + " (it may have left the ring)")
                    : json(ctx, HttpResponseStatus.OK, json.detail(e)));
        } else {
            send(ctx, keepAlive, text(HttpResponseStatus.NOT_FOUND, "not found: try / or /api/requests\n"));
        }
    }

    private void replay(ChannelHandlerContext ctx, boolean keepAlive, long id, FullHttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            send(ctx, keepAlive, error(ctx, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "a replay is a JSON POST ({} replays as recorded)"));
            return;
        }
        Exchange original = ring.get(id);
        if (original == null) {
            send(ctx, keepAlive, error(ctx, HttpResponseStatus.NOT_FOUND, "no request " + id + " (it may have left the ring)"));
            return;
        }
        JsonNode edits;
        try {
            String body = request.content().toString(StandardCharsets.UTF_8);
            edits = body.isBlank() ? ExchangeJson.MAPPER.createObjectNode() : ExchangeJson.MAPPER.readTree(body);
        } catch (IOException e) {
            send(ctx, keepAlive, error(ctx, HttpResponseStatus.BAD_REQUEST, "the replay's edits are not JSON: " + e.getMessage()));
            return;
        }
        String refusal = replayer.refusal(original, edits);
        if (refusal != null) {
            send(ctx, keepAlive, error(ctx, HttpResponseStatus.CONFLICT, refusal));
            return;
        }
        replayer.replay(original, edits).whenComplete((done, failure) -> ctx.executor().execute(() -> {
            if (failure != null) {
                send(ctx, keepAlive, error(ctx, HttpResponseStatus.BAD_GATEWAY, "replay failed: " + failure.getMessage()));
            } else {
                send(ctx, keepAlive, json(ctx, HttpResponseStatus.OK, json.summary(done)));
            }
        }));
    }

    /** Server-sent events: one {@code data:} line of summary JSON per snapshot; skipped while the page reads slowly. */
    private void stream(ChannelHandlerContext ctx) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream").set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ctx.writeAndFlush(r);
        Channel ch = ctx.channel();
        events = e -> {
            if (ch.isWritable()) {
                ByteBuf frame = ByteBufUtil.writeUtf8(ch.alloc(), "data: " + json.summary(e) + "\n\n");
                ch.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(frame));
            }
        };
        ring.watch(events);
        ch.closeFuture().addListener(f -> ring.unwatch(events));
    }

    private boolean hostAllowed(String host, ChannelHandlerContext ctx) {
        if (host == null) {
            return false;
        }
        String name = host;
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            name = end < 0 ? name : name.substring(1, end);
        } else if (name.indexOf(':') >= 0) {
            name = name.substring(0, name.indexOf(':'));
        }
        name = name.toLowerCase(Locale.ROOT);
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        if (NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name)) {
            // An address literal cannot be rebound: a page served from another name never sends it.
            return true;
        }
        return false;
    }

    private static FullHttpResponse json(ChannelHandlerContext ctx, HttpResponseStatus status, JsonNode body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, ByteBufUtil.writeUtf8(ctx.alloc(), body + "\n"));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return r;
    }

    private static FullHttpResponse error(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
        ObjectNode o = ExchangeJson.MAPPER.createObjectNode().put("error", message);
        return json(ctx, status, o);
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return r;
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse r) {
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        HttpUtil.setKeepAlive(r, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static byte[] load(String name) {
        try (InputStream in = InspectorPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
