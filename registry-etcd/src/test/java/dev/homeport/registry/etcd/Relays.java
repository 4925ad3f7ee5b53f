package dev.homeport.registry.etcd;

import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.cluster.ClaimRegistry;
import dev.homeport.server.cluster.ClaimRequest;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.server.cluster.RegistryUnavailableException;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * The registries of a test's relays, each with its own etcd client, under a prefix of the test's own,
 * so tests can share one etcd; closes them all.
 */
final class Relays implements AutoCloseable {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final List<URI> endpoints;
    private final String prefix = "/test-" + UUID.randomUUID() + "/";
    private final List<EtcdClaimRegistry> open = new ArrayList<>();

    Relays(List<URI> endpoints) {
        this.endpoints = endpoints;
    }

    /** The key prefix of this test's relays. */
    String prefix() {
        return prefix;
    }

    /** Relay {@code "r" + n}, peer address 127.0.0.1:(7700 + n), registered under a lease of {@code ttl}. */
    EtcdClaimRegistry start(int n, Duration ttl) throws RegistryUnavailableException {
        EtcdClaimRegistry r = EtcdClaimRegistry.open(RegistryOptions.of(endpoints).withPrefix(prefix).withCallTimeout(CALL_TIMEOUT));
        open.add(r);
        r.registerRelay("r" + n, peer(n), ttl);
        return r;
    }

    static InetSocketAddress peer(int n) {
        return new InetSocketAddress("127.0.0.1", 7700 + n);
    }

    static ClaimRequest request(String name, String principal, String session, int relay, long instance, boolean pool,
                                Duration grace, AccessPolicy access) {
        return new ClaimRequest(name, new ClaimRegistry.Owner(principal, session, "r" + relay), instance, pool,
                name.startsWith("port/") ? "tcp" : "http", access, grace, 8);
    }

    static ClaimRequest request(String name, String principal, String session, int relay, long instance, boolean pool, Duration grace) {
        return request(name, principal, session, relay, instance, pool, grace, AccessPolicy.OPEN);
    }

    /** A claim from session {@code session} of client {@code instance}, its {@code connection}-th session (Bind's connection). */
    static ClaimRequest numbered(String name, String principal, String session, int relay, long instance, long connection,
                                 Duration grace) {
        return new ClaimRequest(name, new ClaimRegistry.Owner(principal, session, "r" + relay), instance, connection, false,
                name.startsWith("port/") ? "tcp" : "http", AccessPolicy.OPEN, grace, 8);
    }

    static ClaimRegistry.Owner owner(String principal, String session, int relay) {
        return new ClaimRegistry.Owner(principal, session, "r" + relay);
    }

    /** Waits until {@code condition} holds, at most {@code limit}; returns the time it took, or fails naming {@code what}. */
    static long await(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(what + " did not happen within " + limit.toMillis() + " ms");
    }

    @Override
    public void close() {
        open.forEach(EtcdClaimRegistry::close);
    }
}
