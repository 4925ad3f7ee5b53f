package dev.homeport.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The listening far end: every accepted connection starts with a {@link ModeSelector}. */
final class FarEndServer implements AutoCloseable {

    private final NettyTransport transport;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;

    private FarEndServer(NettyTransport transport, EventLoopGroup boss, EventLoopGroup workers, Channel listener) {
        this.transport = transport;
        this.boss = boss;
        this.workers = workers;
        this.listener = listener;
    }

    static FarEndServer start(String bind, int port, int threads) {
        NettyTransport transport = NettyTransport.best();
        EventLoopGroup boss = transport.newGroup(1);
        EventLoopGroup workers = transport.newGroup(threads);
        AtomicInteger open = new AtomicInteger();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        open.incrementAndGet();
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        ch.pipeline().addLast(ModeSelector.NAME, new ModeSelector());
                    }
                });
        Channel listener;
        try {
            listener = bootstrap.bind(bind, port).sync().channel();
        } catch (Exception e) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw BenchFailure.io("binding " + bind + ":" + port, e);
        }
        listener.pipeline().addLast(new AcceptFailureReporter(open::get));
        return new FarEndServer(transport, boss, workers, listener);
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    String transportName() {
        return transport.name();
    }

    /** Waits until the listener closes or {@code seconds} pass (0 = no limit). */
    void awaitClose(long seconds) throws InterruptedException {
        if (seconds > 0) {
            listener.closeFuture().await(seconds, TimeUnit.SECONDS);
        } else {
            listener.closeFuture().await();
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
