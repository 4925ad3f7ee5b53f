package dev.homeport.e2e;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local service behind an HTTP tunnel in tests: answers every request with its own name and the
 * request head it received (so a test sees what the relay forwarded), keeps connections alive, and
 * serves a WebSocket at {@code /ws} that greets, then echoes. At {@code /payload/BYTES/SEED} it answers
 * {@code BYTES} of {@link Payload} from {@code SEED} instead, with the size and SHA-256 of the request
 * body it received and of the body it sends in headers ({@link #RECEIVED_BYTES} and the others), so a
 * test checks a large upload and download end to end. It counts connections and bytes, so a test can
 * show that a refused request never reached it.
 */
final class HttpEchoService implements AutoCloseable {
    static final String PAYLOAD_PATH = "/payload/";
    static final String RECEIVED_BYTES = "x-received-bytes";
    static final String RECEIVED_SHA256 = "x-received-sha256";
    static final String SENT_SHA256 = "x-sent-sha256";
    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel listener;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicLong bytesReceived = new AtomicLong();
    final ConcurrentLinkedQueue<String> requestHeads = new ConcurrentLinkedQueue<>();

    private HttpEchoService(String name) throws InterruptedException {
        this.name = name;
        this.listener = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                bytesReceived.addAndGet(((ByteBuf) msg).readableBytes());
                                ctx.fireChannelRead(msg);
                            }
                        });
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 << 20),
                                new WebSocketServerProtocolHandler("/ws"), new WebSocketGreeter(), new RequestEcho());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    static HttpEchoService start(String name) throws InterruptedException {
        return new HttpEchoService(name);
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The last request head received, lowercased header names as {@code name: value} lines, trailers as {@code trailer name: value}. */
    String lastHead() {
        String last = null;
        for (String h : requestHeads) {
            last = h;
        }
        return last;
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class RequestEcho extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            StringBuilder head = new StringBuilder(request.method() + " " + request.uri() + " " + request.protocolVersion() + "\n");
            for (Map.Entry<String, String> h : request.headers()) {
                head.append(h.getKey().toLowerCase(java.util.Locale.ROOT)).append(": ").append(h.getValue()).append('\n');
            }
            for (Map.Entry<String, String> t : request.trailingHeaders()) { // a chunked body's trailers, marked as such
                head.append("trailer ").append(t.getKey().toLowerCase(java.util.Locale.ROOT)).append(": ").append(t.getValue())
                        .append('\n');
            }
            requestHeads.add(head.toString());
            if (request.uri().startsWith(PAYLOAD_PATH)) {
                reply(ctx, request, payload(request));
                return;
            }
            String body = "service=" + name + "\nbody=" + describe(request.content()) + "\n" + head;
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            reply(ctx, request, response);
        }

        private void reply(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the tunnel reset the connection: nothing to answer
        }
    }

    /** {@code /payload/BYTES/SEED}: that many bytes of {@link Payload}, and the digests of both bodies in headers. */
    private static FullHttpResponse payload(FullHttpRequest request) {
        String[] sizeAndSeed = request.uri().substring(PAYLOAD_PATH.length()).split("/");
        int bytes = Integer.parseInt(sizeAndSeed[0]);
        ByteBuf body = Unpooled.buffer(bytes);
        Payload.Transfer sent;
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            sent = Payload.write(out, Long.parseLong(sizeAndSeed[1]), bytes);
        } catch (IOException | RuntimeException e) {
            body.release();
            throw new IllegalStateException("cannot generate the payload of " + request.uri(), e);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
                .setInt(RECEIVED_BYTES, request.content().readableBytes())
                .set(RECEIVED_SHA256, sha256(request.content()))
                .set(SENT_SHA256, sent.sha256());
        return response;
    }

    private final class WebSocketGreeter extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                ctx.writeAndFlush(new TextWebSocketFrame("welcome from " + name));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ctx.writeAndFlush(new TextWebSocketFrame("echo: " + frame.text()));
        }
    }

    /** A short body as text; a long one as its length and SHA-256, so a test can check it arrived intact. */
    static String describe(ByteBuf content) {
        if (content.readableBytes() <= 1024) {
            return content.toString(StandardCharsets.UTF_8);
        }
        return content.readableBytes() + " bytes sha256=" + sha256(content);
    }

    static String sha256(byte[] bytes) {
        return sha256(ByteBuffer.wrap(bytes));
    }

    /** The SHA-256 of {@code content}'s readable bytes, read in place. */
    static String sha256(ByteBuf content) {
        return sha256(content.nioBuffers());
    }

    private static String sha256(ByteBuffer... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (ByteBuffer part : parts) {
                sha.update(part);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
