package dev.homeport.server.admin;

import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.access.BasicCredentials;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.IntSupplier;

/**
 * The operator's port: metrics and health over plain HTTP. It listens on loopback unless told
 * otherwise (--admin), since it is meant for a local Prometheus or a reverse proxy with auth.
 */
public final class AdminListener {
    /** Requests here are a GET line and a few headers. */
    static final int MAX_REQUEST_BYTES = 8 * 1024;
    static final int IDLE_SECONDS = 30;

    private AdminListener() {
    }

    public static Channel bind(NetTransport transport, EventLoopGroup acceptors, EventLoopGroup workers, InetSocketAddress address,
                               PrometheusMeterRegistry registry, IntSupplier clients, BooleanSupplier draining)
            throws InterruptedException {
        return bind(transport, acceptors, workers, address, registry, clients, draining, null, null, null);
    }

    /**
     * As above, with the dashboard ({@code /}, {@code /api/tunnels}, {@code /api/sessions}) when {@code dashboard}
     * is given, every page behind basic auth when {@code auth} is, and the cluster registry's health
     * ({@code ok} or {@code stale}) in {@code /health} when {@code registryHealth} is.
     */
    public static Channel bind(NetTransport transport, EventLoopGroup acceptors, EventLoopGroup workers, InetSocketAddress address,
                               PrometheusMeterRegistry registry, IntSupplier clients, BooleanSupplier draining,
                               DashboardSource dashboard, BasicCredentials auth, Supplier<String> registryHealth)
            throws InterruptedException {
        return new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new ReadTimeoutHandler(IDLE_SECONDS))
                                .addLast(new HttpServerCodec(4096, MAX_REQUEST_BYTES, 8192))
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new AdminHandler(registry, clients, draining, dashboard, auth, registryHealth));
                    }
                })
                .bind(address).sync().channel();
    }
}
