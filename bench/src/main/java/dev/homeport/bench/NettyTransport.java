package dev.homeport.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.function.Supplier;

/** Native epoll when this machine has it, NIO otherwise. */
record NettyTransport(
        String name,
        Supplier<IoHandlerFactory> ioHandlers,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends Channel> socketChannel) {

    static NettyTransport best() {
        if (Epoll.isAvailable()) {
            return new NettyTransport("epoll", EpollIoHandler::newFactory,
                    EpollServerSocketChannel.class, EpollSocketChannel.class);
        }
        return new NettyTransport("nio", NioIoHandler::newFactory,
                NioServerSocketChannel.class, NioSocketChannel.class);
    }

    EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandlers.get());
    }
}
