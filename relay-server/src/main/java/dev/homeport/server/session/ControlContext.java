package dev.homeport.server.session;

import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.admission.PerTokenCount;
import dev.homeport.server.auth.HandshakeRateLimiter;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;

import java.net.InetSocketAddress;

/** What every control connection's handlers share: the relay's settings and its long-lived parts. */
public record ControlContext(
        RelayServerConfig config,
        TunnelRegistry registry,
        SessionListener sessions,
        HandshakeRateLimiter limiter,
        RelayMetrics metrics,
        HostRegistry hosts,
        PerTokenCount sessionsPerToken) {

    /**
     * Whether {@code channel}'s address may try a handshake. An address throttled after too many
     * failed handshakes is reset here: no TLS, no nonce, no answer, no log line per attempt.
     */
    boolean admit(Channel channel) {
        if (limiter.allows(((InetSocketAddress) channel.remoteAddress()).getAddress())) {
            return true;
        }
        metrics.throttled(channel.remoteAddress());
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
        channel.close();
        return false;
    }
}
