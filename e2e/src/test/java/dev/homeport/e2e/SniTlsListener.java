package dev.homeport.e2e;

import dev.homeport.server.tls.ServerCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Promise;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A minimal public HTTPS port for tests: Netty's {@link SniHandler} asks a {@link ServerCertificates}
 * for each client's SNI name and presents what it answers (an issued certificate, or a TLS-ALPN-01
 * challenge certificate while one is pending); no context means no handshake. The relay's own
 * HTTPS listener consults the same interface the same way.
 */
final class SniTlsListener implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    SniTlsListener(int port, ServerCertificates certificates) throws InterruptedException {
        this.channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SniHandler((String hostname, Promise<SslContext> promise) -> {
                            SslContext context = hostname == null ? null
                                    : certificates.forHostname(hostname.toLowerCase(Locale.ROOT));
                            return context != null ? promise.setSuccess(context)
                                    : promise.setFailure(new IllegalArgumentException("no certificate for " + hostname));
                        }), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close(); // no certificate for the name: the handshake fails at once
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
