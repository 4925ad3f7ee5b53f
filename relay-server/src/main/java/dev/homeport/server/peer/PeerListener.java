package dev.homeport.server.peer;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.FrameDecoder;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.handshake.HandshakeDeadline;
import dev.homeport.protocol.handshake.ServerHandshakeHandler;
import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.process.OutOfMemoryGuard;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where other relays of the cluster dial this one ({@code --peer-address}): each connection is
 * authenticated with the cluster secret, then becomes a session on which the dialing relay opens
 * one stream per public connection it forwards here. Pipeline: frame codec, handshake, installer.
 */
public final class PeerListener implements AutoCloseable {
    private final Channel channel;
    /** Links other relays dialed, up now. */
    private final Set<MuxSession> links;

    private PeerListener(Channel channel, Set<MuxSession> links) {
        this.channel = channel;
        this.links = links;
    }

    /** Binds {@code address}, blocking until the OS answers; throws if it is taken. */
    public static PeerListener bind(NetTransport transport, EventLoopGroup acceptors, EventLoopGroup workers,
                                    InetSocketAddress address, PeerSettings peer, ProtocolSettings relay, TunnelRegistry ports,
                                    HostRegistry hosts, RelayMetrics metrics) throws InterruptedException {
        ProtocolSettings settings = peer.protocol(relay);
        TokenKey secret = peer.secret();
        Set<MuxSession> links = ConcurrentHashMap.newKeySet();
        Channel channel = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        HandshakeDeadline.markConnected(ch);
                        transport.configureSessionSocket(ch);
                        ch.pipeline().addFirst("out-of-memory", OutOfMemoryGuard.INSTANCE)
                                .addLast("frame-decoder", new FrameDecoder(settings.maxFramePayload()))
                                .addLast("frame-encoder", FrameEncoder.INSTANCE)
                                .addLast("handshake", new ServerHandshakeHandler(settings, id -> id == secret.id() ? secret : null))
                                .addLast("peer-installer", new InboundPeerInstaller(settings, ports, hosts, metrics, mux -> {
                                    links.add(mux);
                                    mux.whenClosed().addListener(f -> links.remove(mux));
                                }));
                    }
                })
                .bind(address).sync().channel();
        return new PeerListener(channel, links);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops taking links and ends those up now; streams on them end with them. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        for (MuxSession link : links) {
            link.close(ErrorCode.SHUTDOWN, "relay is shutting down");
        }
    }
}
