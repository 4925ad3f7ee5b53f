package dev.homeport.server.session;

import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.HandshakeRateLimiter;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.TunnelRegistry;

/** What every control connection's handlers share: the relay's settings and its long-lived parts. */
public record ControlContext(
        RelayServerConfig config,
        TunnelRegistry registry,
        SessionListener sessions,
        HandshakeRateLimiter limiter,
        RelayMetrics metrics,
        HostRegistry hosts) {
}
