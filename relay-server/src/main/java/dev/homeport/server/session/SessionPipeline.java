package dev.homeport.server.session;

import dev.homeport.protocol.frame.FrameDecoder;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.handshake.ServerHandshakeHandler;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.HandshakeRateLimiter;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.channel.ChannelPipeline;

/** The session's handlers, the same above every transport: frame codec, handshake, then the session installer. */
final class SessionPipeline {
    private SessionPipeline() {
    }

    static void addLast(ChannelPipeline pipeline, RelayServerConfig config, TunnelRegistry registry, SessionListener sessions, HandshakeRateLimiter limiter) {
        pipeline.addLast("frame-decoder", new FrameDecoder(config.protocol().maxFramePayload()))
                .addLast("frame-encoder", FrameEncoder.INSTANCE)
                .addLast("handshake", new ServerHandshakeHandler(config.protocol(), config.tokens()))
                .addLast("session-installer", new SessionInstaller(config, registry, sessions, limiter));
    }
}
