package dev.homeport.server.tls.acme;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code homeport.acme.orders}: ACME orders by kind (issue, renew) and outcome (success, failure), and
 * {@code homeport.acme.certificates.shared}: certificates taken from another relay of the cluster, for /metrics.
 */
final class AcmeMetrics {
    static final String ORDERS = "homeport.acme.orders";
    static final String SHARED = "homeport.acme.certificates.shared";

    private final MeterRegistry registry;
    private final Counter shared;

    AcmeMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String kind : new String[] {"issue", "renew"}) {
            for (String outcome : new String[] {"success", "failure"}) {
                counter(kind, outcome); // visible at zero, so an alert can compare against it from the start
            }
        }
        this.shared = Counter.builder(SHARED)
                .description("Certificates this relay took from another relay of the cluster through the registry, "
                        + "instead of ordering them itself")
                .register(registry);
    }

    void shared() {
        shared.increment();
    }

    void order(String kind, boolean success) {
        counter(kind, success ? "success" : "failure").increment();
    }

    private Counter counter(String kind, String outcome) {
        return Counter.builder(ORDERS)
                .description("ACME certificate orders, by kind (issue, renew) and outcome")
                .tag("kind", kind)
                .tag("outcome", outcome)
                .register(registry);
    }
}
