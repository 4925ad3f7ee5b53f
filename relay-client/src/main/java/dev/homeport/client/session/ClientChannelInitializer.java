package dev.homeport.client.session;

import dev.homeport.client.RelayClientConfig;
import dev.homeport.protocol.frame.FrameDecoder;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.handshake.ClientHandshakeHandler;
import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.protocol.transport.NetTransport;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/**
 * The pipeline of the client's connection to the relay, in order: frame decoder, frame encoder,
 * handshake, then {@link SessionStarter}, which becomes the multiplexer and the tunnel binder.
 */
public final class ClientChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final RelayClientConfig config;
    private final NetTransport transport;
    private final TokenKey token;
    private final SessionObserver observer;

    public ClientChannelInitializer(RelayClientConfig config, NetTransport transport, SessionObserver observer) {
        this.config = config;
        this.transport = transport;
        this.token = TokenKey.fromToken("client", config.token());
        this.observer = observer;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        transport.configureSessionSocket(ch);
        ch.pipeline()
                .addLast("frame-decoder", new FrameDecoder(config.protocol().maxFramePayload()))
                .addLast("frame-encoder", FrameEncoder.INSTANCE)
                .addLast("handshake", new ClientHandshakeHandler(config.protocol(), token, Agent.NAME))
                .addLast("session-starter", new SessionStarter(config, transport, observer));
    }
}
