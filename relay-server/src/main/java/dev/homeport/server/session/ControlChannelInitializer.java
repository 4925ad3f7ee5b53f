package dev.homeport.server.session;

import dev.homeport.protocol.frame.FrameDecoder;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.handshake.ServerHandshakeHandler;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/**
 * The pipeline of a client's control connection, in order:
 * frame decoder, frame encoder, handshake, then {@link SessionInstaller}, which replaces itself with
 * the multiplexer and the BIND handler once the handshake succeeds.
 */
public final class ControlChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final RelayServerConfig config;
    private final NetTransport transport;
    private final TunnelRegistry registry;
    private final SessionListener sessions;

    public ControlChannelInitializer(RelayServerConfig config, NetTransport transport, TunnelRegistry registry,
                                     SessionListener sessions) {
        this.config = config;
        this.transport = transport;
        this.registry = registry;
        this.sessions = sessions;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        transport.configureSessionSocket(ch);
        ch.pipeline()
                .addLast("frame-decoder", new FrameDecoder(config.protocol().maxFramePayload()))
                .addLast("frame-encoder", FrameEncoder.INSTANCE)
                .addLast("handshake", new ServerHandshakeHandler(config.protocol(), config.tokens()))
                .addLast("session-installer", new SessionInstaller(config, registry, sessions));
    }
}
