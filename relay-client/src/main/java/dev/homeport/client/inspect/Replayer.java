package dev.homeport.client.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.transport.NetTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends a recorded request again to its tunnel's local service, as it was or with edits (method,
 * path, headers to set, body), on a connection of its own that the inspector watches like any
 * other: the replay is a new entry, marked with the id it replays.
 */
final class Replayer {
    /** A replay whose response has not ended by then is cut off. */
    static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "connection", "keep-alive");

    private final NetTransport transport;
    private final EventLoopGroup group;
    private final ExchangeRing ring;
    private final Map<String, TunnelSpec> tunnels;
    private final int bodyLimit;
    private final Duration connectTimeout;

    Replayer(NetTransport transport, EventLoopGroup group, ExchangeRing ring, Map<String, TunnelSpec> tunnels, int bodyLimit,
             Duration connectTimeout) {
        this.transport = transport;
        this.group = group;
        this.ring = ring;
        this.tunnels = tunnels;
        this.bodyLimit = bodyLimit;
        this.connectTimeout = connectTimeout;
    }

    /** Why {@code original} cannot be replayed, or {@code null}. */
    String refusal(Exchange original, JsonNode edits) {
        if (!original.kind().equals("http")) {
            return "a TLS passthrough connection cannot be replayed: the client never saw its requests";
        }
        if (original.webSocket()) {
            return "a WebSocket upgrade cannot be replayed";
        }
        if (!original.requestComplete() && !edits.has("body")) {
            return "the request body (" + original.requestBytes() + " bytes) was larger than --inspect-body-limit ("
                    + bodyLimit + " bytes), so only its first part was kept; send an edited body";
        }
        if (!tunnels.containsKey(original.tunnel())) {
            return "tunnel " + original.tunnel() + " is not served by this client";
        }
        return null;
    }

    /** Completes with the replay's exchange once its response ended (or failed). */
    CompletableFuture<Exchange> replay(Exchange original, JsonNode edits) {
        TunnelSpec tunnel = tunnels.get(original.tunnel());
        CompletableFuture<Exchange> result = new CompletableFuture<>();
        ByteBuf request = Unpooled.wrappedBuffer(requestBytes(original, edits));
        ChannelFuture connect = new Bootstrap().group(group).channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new InspectHandler(ring, tunnel.name(), bodyLimit, original.id(), result::complete))
                                .addLast(new Discard());
                    }
                })
                .connect(tunnel.localHost(), tunnel.localPort());
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                request.release();
                result.completeExceptionally(new IllegalStateException("cannot connect to " + tunnel.localTarget() + ": "
                        + f.cause().getMessage()));
                return;
            }
            Channel ch = f.channel();
            ch.writeAndFlush(request);
            ch.eventLoop().schedule(() -> {
                ch.close();
                result.completeExceptionally(new IllegalStateException("no response within " + REPLAY_TIMEOUT.toSeconds() + " s"));
            }, REPLAY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            result.whenComplete((e, t) -> ch.close());
        });
        return result;
    }

    private static byte[] requestBytes(Exchange original, JsonNode edits) {
        String method = edits.path("method").asText(original.method());
        String path = edits.path("path").asText(original.path());
        byte[] body = edits.has("body") ? edits.path("body").asText().getBytes(StandardCharsets.UTF_8) : original.requestPreview();
        Map<String, String> set = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = edits.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> h = it.next();
            set.put(h.getKey().toLowerCase(Locale.ROOT), h.getKey() + ": " + h.getValue().asText());
        }
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        for (Map.Entry<String, String> h : original.requestHeaders()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!FRAMING.contains(name) && !set.containsKey(name)) {
                head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
        }
        set.forEach((name, line) -> {
            if (!FRAMING.contains(name)) {
                head.append(line).append("\r\n");
            }
        });
        if (body.length > 0 || !method.equals("GET") && !method.equals("HEAD")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** The response was seen by the inspector in front; here it is only released. */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
