package dev.homeport.server.tcp;

import dev.homeport.protocol.mux.ChannelStreamBridge;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.tunnel.Tunnel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

import java.net.InetSocketAddress;

/** Opens the public TCP port of a tunnel; every accepted connection becomes one stream. */
public final class PublicTcpListener {
    private final NetTransport transport;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final String bindAddress;

    public PublicTcpListener(NetTransport transport, EventLoopGroup acceptors, EventLoopGroup workers, String bindAddress) {
        this.transport = transport;
        this.acceptors = acceptors;
        this.workers = workers;
        this.bindAddress = bindAddress;
    }

    /** Binds the tunnel's port, blocking until the OS answers; throws if the port is taken. */
    public Channel listen(Tunnel tunnel) throws Exception {
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelStreamBridge.configure(ch.config());
                        ch.pipeline().addLast(new PublicConnectionHandler(tunnel));
                    }
                });
        Channel ch = b.bind(new InetSocketAddress(bindAddress, tunnel.port())).sync().channel();
        return ch;
    }
}
