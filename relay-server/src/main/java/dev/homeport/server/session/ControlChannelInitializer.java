package dev.homeport.server.session;

import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.HandshakeRateLimiter;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;

/**
 * The pipeline of a client's control connection, in order: TLS (unless plaintext was chosen), the
 * {@link TransportSniffer} that adds WebSocket handlers for clients that come by HTTP, then the
 * {@link SessionPipeline}: frame codec, handshake and the installer that becomes the multiplexer.
 */
public final class ControlChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final RelayServerConfig config;
    private final NetTransport transport;
    private final TunnelRegistry registry;
    private final SessionListener sessions;
    private final HandshakeRateLimiter limiter;

    public ControlChannelInitializer(RelayServerConfig config, NetTransport transport, TunnelRegistry registry,
                                     SessionListener sessions, HandshakeRateLimiter limiter) {
        this.config = config;
        this.transport = transport;
        this.registry = registry;
        this.sessions = sessions;
        this.limiter = limiter;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (!limiter.allows(ch.remoteAddress().getAddress())) {
            // Throttled after too many failed handshakes: no TLS, no handshake, no log line per attempt.
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
            return;
        }
        transport.configureSessionSocket(ch);
        if (config.tls() != null) {
            ch.pipeline().addLast("tls", config.tls().newHandler(ch.alloc()));
        }
        ch.pipeline().addLast("transport-sniffer", new TransportSniffer(config, registry, sessions, limiter));
    }
}
