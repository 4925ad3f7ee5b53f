package dev.homeport.server.metrics;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Collection;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The relay's meters, named {@code homeport.*} with low-cardinality tags only (a reason, never an
 * address or a session). The registry is the caller's: Prometheus on the admin port, or a simple
 * one in tests.
 */
public final class RelayMetrics {
    private final MeterRegistry registry;
    private final Counter throttled;
    private final Counter refusedPerAddressCap;

    public RelayMetrics(MeterRegistry registry, Supplier<Collection<MuxSession>> sessions) {
        this.registry = registry;
        this.throttled = Counter.builder("homeport.connections.throttled")
                .description("Control connections dropped because their address failed too many handshakes")
                .register(registry);
        this.refusedPerAddressCap = Counter.builder("homeport.public.connections.refused")
                .description("Public connections reset at accept, by reason")
                .tag("reason", "per_address_cap")
                .register(registry);
        // Strong references: a gauge holds its state object weakly, and this supplier has no other owner.
        Gauge.builder("homeport.clients.connected", sessions, s -> s.get().size())
                .description("Client sessions connected now").strongReference(true).register(registry);
        Gauge.builder("homeport.streams.open", sessions, s -> s.get().stream().mapToInt(MuxSession::openStreams).sum())
                .description("Streams open now, over all sessions").strongReference(true).register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void handshakeFailed(ErrorCode code) {
        Counter.builder("homeport.handshake.failures")
                .description("Handshakes that ended without a session, by reason")
                .tag("reason", code.name().toLowerCase(Locale.ROOT))
                .register(registry).increment();
    }

    public void throttled() {
        throttled.increment();
    }

    public void refusedPerAddressCap() {
        refusedPerAddressCap.increment();
    }
}
