package dev.homeport.server.cluster;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A relay's part in a cluster once it registered with the registry: both registries claim names
 * through it, the routes other relays announce drop the names this relay no longer serves, a name a
 * session lost (taken over elsewhere) stops being served on it, and the registry's health is watched.
 * <p>Fail closed: when the registry has been out of reach for longer than the grace, the claims this
 * relay made may have lapsed and been won by another relay, so it ends every client session (GO_AWAY
 * SHUTDOWN: the clients connect again, to a relay that can claim). {@code --registry-fail-open} keeps
 * them instead, at the risk of two relays serving one name until the registry is back (docs/cluster.md).
 */
public final class ClusterMembership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
    /** How often the registry's health is looked at. */
    static final Duration HEALTH_CHECK_PERIOD = Duration.ofSeconds(1);

    private final ClusterSettings settings;
    private final Duration fenceAfter;
    private final Supplier<Collection<MuxSession>> sessions;
    private final Counter fenced;
    private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "homeport-cluster-health");
        t.setDaemon(true);
        return t;
    });
    /** When the registry last went stale (nanoTime), or 0 while it is healthy; on the watch thread. */
    private long staleSince;
    private boolean fencedNow;

    /**
     * @param settings   with a {@link ClusterSettings#registry()}
     * @param grace      the reconnect grace: a claim nobody renews lapses after it
     * @param sessions   the relay's live client sessions, ended when it fails closed
     */
    public ClusterMembership(ClusterSettings settings, Duration grace, int maxPoolMembers,
                             TunnelRegistry ports, HostRegistry hosts, MeterRegistry meters,
                             Supplier<Collection<MuxSession>> sessions) {
        this.settings = settings;
        this.sessions = sessions;
        // Stale means unrenewed for a TTL already; the claims lapse a grace after their last renewal.
        Duration rest = grace.minus(settings.registry().relayTtl());
        this.fenceAfter = rest.isNegative() ? Duration.ZERO : rest;
        ClaimRegistry registry = settings.registry().claims();
        RegistryClaims claims = new RegistryClaims(registry, settings.relayId(), grace, maxPoolMembers,
                new RegistryMeters(meters, registry));
        ports.claims(claims);
        hosts.claims(claims);
        PeerRoutes routes = registry.routes();
        routes.onChange(() -> {
            ports.superseded(port -> routes.forPort(port) != null);
            hosts.superseded(host -> routes.forHost(host) != null);
        });
        registry.onLoss((name, session, why) -> {
            ports.lost(name, session, why);
            hosts.lost(name, session, why);
        });
        this.fenced = Counter.builder("homeport.registry.fenced")
                .description("Times this relay ended its sessions because the cluster registry was out of reach for "
                        + "longer than the grace (fail closed)").register(meters);
    }

    /**
     * Registers this relay, reachable by the other relays at {@code peerAddress} (its bound peer
     * listener), under its lease; from now on its claims count and the others forward to it. A relay
     * that cannot register does not start.
     */
    public void register(InetSocketAddress peerAddress) {
        try {
            settings.registry().claims().registerRelay(settings.relayId(), peerAddress, settings.registry().relayTtl());
        } catch (RegistryUnavailableException e) {
            throw new IllegalStateException("cannot register relay " + settings.relayId() + " in the cluster registry: "
                    + e.getMessage(), e);
        }
        log.info("event=registry_joined relay={} peer_address={} ttl_s={}", settings.relayId(), peerAddress,
                settings.registry().relayTtl().toSeconds());
        // Health counts from the registration: before it the registry is stale by definition.
        long period = HEALTH_CHECK_PERIOD.toMillis();
        watch.scheduleWithFixedDelay(this::checkHealth, period, period, TimeUnit.MILLISECONDS);
    }

    /** {@code ok} or {@code stale}, as {@code /health} says it. */
    public String health() {
        return settings.registry().claims().health() == ClaimRegistry.Health.OK ? "ok" : "stale";
    }

    private void checkHealth() {
        if (settings.registry().claims().health() == ClaimRegistry.Health.OK) {
            if (staleSince != 0) {
                log.info("event=registry_ok stale_ms={}", (System.nanoTime() - staleSince) / 1_000_000);
            }
            staleSince = 0;
            fencedNow = false;
            return;
        }
        long now = System.nanoTime();
        if (staleSince == 0) {
            staleSince = now;
            log.warn("event=registry_stale detail=\"the relay's registration was not renewed in time\" fence_in_s={}",
                    settings.registry().failOpen() ? "never (--registry-fail-open)" : String.valueOf(fenceAfter.toSeconds()));
            return;
        }
        if (fencedNow || settings.registry().failOpen() || now - staleSince < fenceAfter.toNanos()) {
            return;
        }
        fencedNow = true;
        fenced.increment();
        Collection<MuxSession> live = sessions.get();
        log.error("event=registry_fenced sessions={} detail=\"the cluster registry was out of reach for longer than the "
                + "grace: names this relay claimed may be another relay's now, so its sessions end (fail closed; "
                + "--registry-fail-open keeps them)\"", live.size());
        for (MuxSession s : live) {
            s.close(ErrorCode.SHUTDOWN, "this relay lost the cluster registry for longer than the reconnect grace: "
                    + "connect again, to a relay that can claim your names");
        }
    }

    @Override
    public void close() {
        watch.shutdownNow();
        if (settings.registry().certificates() != null) {
            settings.registry().certificates().close();
        }
        settings.registry().claims().close();
    }
}
