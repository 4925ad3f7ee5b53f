package dev.homeport.server.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The cluster registry's meters: operations and their latency by result, claims by outcome (won,
 * taken over, conflicts), and whether the registry is healthy. Tags are fixed words only.
 */
public final class RegistryMeters {
    private final MeterRegistry registry;
    private final Map<String, Timer> operations = new ConcurrentHashMap<>();
    private final Map<ClaimOutcome, Counter> outcomes = new EnumMap<>(ClaimOutcome.class);

    public RegistryMeters(MeterRegistry registry, ClaimRegistry claims) {
        this.registry = registry;
        for (ClaimOutcome outcome : ClaimOutcome.values()) {
            outcomes.put(outcome, Counter.builder("homeport.registry.claims")
                    .description("Cluster-wide claims of public names, by outcome (took_over: a client moved its session; "
                            + "held, taken, pool_full, rules_differ: conflicts; superseded: a late BIND of a session its client gave up)")
                    .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
        }
        Gauge.builder("homeport.registry.lease.age", claims, c -> c.sinceRenewal().toMillis() / 1000.0)
                .description("Seconds since the cluster registry last confirmed this relay's registration lease")
                .baseUnit("seconds").strongReference(true).register(registry);
        Gauge.builder("homeport.registry.healthy", claims, c -> c.health() == ClaimRegistry.Health.OK ? 1 : 0)
                .description("1 while this relay's registration in the cluster registry is renewed in time, 0 when stale")
                .strongReference(true).register(registry);
    }

    /** One registry call: which, whether it got an answer, and how long it took. */
    public void operation(String name, boolean answered, long nanos) {
        operations.computeIfAbsent(name + (answered ? "/ok" : "/unavailable"), k -> Timer.builder("homeport.registry.operations")
                        .description("Calls to the cluster registry and their latency, by operation and result")
                        .tag("operation", name).tag("result", answered ? "ok" : "unavailable")
                        .publishPercentiles(0.5, 0.99).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void claimed(ClaimOutcome outcome) {
        outcomes.get(outcome).increment();
    }
}
