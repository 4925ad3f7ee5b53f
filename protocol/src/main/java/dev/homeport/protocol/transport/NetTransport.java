package dev.homeport.protocol.transport;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The socket transport: Linux epoll through Netty's IoHandler API when the native library loads,
 * NIO everywhere else. {@code -Dhomeport.transport=nio} forces NIO, for comparison runs.
 */
public enum NetTransport {
    EPOLL, NIO;

    /** Unsent bytes the kernel may hold for a session socket (TCP_NOTSENT_LOWAT). */
    public static final int SESSION_NOTSENT_LOWAT = 128 * 1024;

    public static NetTransport best() {
        if (!"nio".equalsIgnoreCase(System.getProperty("homeport.transport")) && Epoll.isAvailable()) {
            return EPOLL;
        }
        return NIO;
    }

    /** @param threads 0 for Netty's default (twice the cores) */
    public EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory io = this == EPOLL ? EpollInterestGuard.wrap(EpollIoHandler.newFactory()) : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
    }

    /**
     * Socket options for a session connection: no Nagle delay, TCP keep-alive as a backstop, and
     * on Linux at most {@link #SESSION_NOTSENT_LOWAT} unsent bytes in the kernel, so that the
     * session's fair scheduler, not the socket buffer, decides which stream's bytes go next.
     */
    public void configureSessionSocket(Channel channel) {
        ChannelConfig config = channel.config();
        config.setOption(ChannelOption.TCP_NODELAY, true);
        config.setOption(ChannelOption.SO_KEEPALIVE, true);
        config.setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(4096, 64 * 1024, 1024 * 1024));
        if (channel instanceof EpollSocketChannel) {
            config.setOption(EpollChannelOption.TCP_NOTSENT_LOWAT, (long) SESSION_NOTSENT_LOWAT);
        }
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
