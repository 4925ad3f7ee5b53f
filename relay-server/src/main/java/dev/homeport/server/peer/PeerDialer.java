package dev.homeport.server.peer;

import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.FrameDecoder;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.handshake.ClientHandshakeHandler;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.process.OutOfMemoryGuard;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.InetSocketAddress;

/** Dials one peer link: TCP connect within the dial timeout, then the handshake with the cluster secret. */
final class PeerDialer {
    private final NetTransport transport;
    private final EventLoopGroup workers;
    private final PeerSettings peer;
    private final ProtocolSettings settings;
    private final String agent;

    PeerDialer(NetTransport transport, EventLoopGroup workers, PeerSettings peer, ProtocolSettings relay, String relayId) {
        this.transport = transport;
        this.workers = workers;
        this.peer = peer;
        this.settings = peer.protocol(relay);
        this.agent = PeerIdentity.agent(relayId);
    }

    /** @param goneAway run when the peer sends GO_AWAY on the link this dial brings up */
    Future<MuxSession> dial(InetSocketAddress address, Runnable goneAway) {
        EventLoop loop = workers.next();
        Promise<MuxSession> link = loop.newPromise();
        new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, peer.dialTimeout().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        transport.configureSessionSocket(ch);
                        ch.pipeline().addFirst("out-of-memory", OutOfMemoryGuard.INSTANCE)
                                .addLast("frame-decoder", new FrameDecoder(settings.maxFramePayload()))
                                .addLast("frame-encoder", FrameEncoder.INSTANCE)
                                .addLast("handshake", new ClientHandshakeHandler(settings, peer.secret(), agent))
                                .addLast("peer-installer", new OutboundPeerInstaller(settings, link, goneAway));
                    }
                })
                .connect(address)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        link.tryFailure(new PeerLinkException("cannot connect: " + f.cause().getMessage()));
                    }
                });
        return link;
    }
}
