package dev.homeport.e2e;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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

import java.net.InetSocketAddress;
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
 * serves a WebSocket at {@code /ws} that greets, then echoes. It counts connections and bytes, so a
 * test can show that a refused request never reached it.
 */
final class HttpEchoService implements AutoCloseable {
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
            String body = "service=" + name + "\nbody=" + describe(request.content()) + "\n" + head;
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
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
        return content.readableBytes() + " bytes sha256=" + sha256(ByteBufUtil.getBytes(content));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
