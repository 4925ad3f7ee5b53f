package dev.homeport.e2e;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.TunnelSpec;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** What a client told its user: how often it connected and bound, and the last public port it was given. */
final class ClientLog implements ClientEvents {
    private final AtomicInteger connects = new AtomicInteger();
    private final AtomicInteger binds = new AtomicInteger();
    private final AtomicInteger disconnects = new AtomicInteger();
    private volatile int lastPort;

    @Override
    public void connected(String sessionId) {
        connects.incrementAndGet();
    }

    @Override
    public void tunnelBound(TunnelSpec tunnel, String publicAddress, boolean first) {
        lastPort = URI.create(publicAddress).getPort();
        binds.incrementAndGet();
    }

    @Override
    public void disconnected(String reason, Duration retryIn) {
        disconnects.incrementAndGet();
    }

    int connects() {
        return connects.get();
    }

    /** Tunnels bound so far, counting every rebinding after a reconnect. */
    int binds() {
        return binds.get();
    }

    int disconnects() {
        return disconnects.get();
    }

    int lastPort() {
        return lastPort;
    }
}
