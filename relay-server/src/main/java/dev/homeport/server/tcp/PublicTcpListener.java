package dev.homeport.server.tcp;

import dev.homeport.server.process.OutOfMemoryGuard;
import dev.homeport.protocol.mux.ChannelStreamBridge;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.admission.ConnectionsPerAddress;
import dev.homeport.server.tunnel.Tunnel;
import io.netty.bootstrap.ServerBootstrap;
import dev.homeport.server.peer.PeerForwarding;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/** Opens the public TCP port of a tunnel; every accepted connection becomes one stream. */
public final class PublicTcpListener {
    private final NetTransport transport;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final String bindAddress;
    private final RelayMetrics metrics;
    private final ConnectionsPerAddress perAddress;
    private final ChannelGroup connections = new DefaultChannelGroup("public-connections", GlobalEventExecutor.INSTANCE);
    private final PeerForwarding forwarding;
    /** Told a port before a local tunnel binds it, so that a listener forwarding it to another relay gives it up. */
    private volatile IntConsumer beforeListen = port -> { };

    public PublicTcpListener(NetTransport transport, EventLoopGroup acceptors, EventLoopGroup workers, String bindAddress,
                             RelayMetrics metrics, ConnectionsPerAddress perAddress) {
        this(transport, acceptors, workers, bindAddress, metrics, perAddress, PeerForwarding.off(metrics));
    }

    /** @param forwarding where connections go when another relay of the cluster holds the port's client */
    public PublicTcpListener(NetTransport transport, EventLoopGroup acceptors, EventLoopGroup workers, String bindAddress,
                             RelayMetrics metrics, ConnectionsPerAddress perAddress, PeerForwarding forwarding) {
        this.forwarding = forwarding;
        this.metrics = metrics;
        this.transport = transport;
        this.acceptors = acceptors;
        this.workers = workers;
        this.bindAddress = bindAddress;
        this.perAddress = perAddress;
    }

    /** Runs {@code hook} with each port just before a local tunnel binds it. */
    public void beforeListen(IntConsumer hook) {
        this.beforeListen = hook;
    }

    /** Binds the tunnel's port, blocking until the OS answers; throws if the port is taken. */
    public Channel listen(Tunnel tunnel) throws Exception {
        beforeListen.accept(tunnel.port());
        return bind(tunnel.port(), childLoop(tunnel), () -> new PublicConnectionHandler(tunnel, metrics, forwarding));
    }

    /**
     * Binds {@code port} for a tunnel whose client another relay of the cluster holds: every
     * connection is forwarded there ({@link ForwardedConnectionHandler}). Throws if the port is taken.
     */
    public Channel listenForwarded(int port) throws Exception {
        return bind(port, workers, () -> new ForwardedConnectionHandler(port, forwarding));
    }

    private Channel bind(int port, EventLoopGroup children, Supplier<ChannelHandler> handler) throws Exception {
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptors, children)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!perAddress.admit(ch)) {
                            return;
                        }
                        connections.add(ch);
                        ChannelStreamBridge.configure(ch.config());
                        ch.pipeline().addFirst("out-of-memory", OutOfMemoryGuard.INSTANCE);
                        ch.pipeline().addLast(handler.get());
                    }
                });
        return b.bind(new InetSocketAddress(bindAddress, port)).sync().channel();
    }

    /**
     * Public connections live on the event loop of the session that asked for the tunnel, so their
     * bytes reach the multiplexer, and its bytes them, without changing threads. (After a reconnect
     * the new session may be on another loop; the bridge then hops, correct but a little slower.)
     */
    private EventLoopGroup childLoop(Tunnel tunnel) {
        MuxSession session = tunnel.session();
        return session != null ? session.eventLoop() : workers;
    }

    /**
     * Completes when every public connection open now has closed. A stream the multiplexer is done
     * with may still be writing its last bytes to its public socket; its connection closes after.
     */
    public ChannelGroupFuture whenConnectionsClosed() {
        return connections.newCloseFuture();
    }
}
