package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClaimRegistry.Health;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * This relay's lease: its {@code relays/ID} key and every member key of its sessions live under it,
 * so a relay that stops renewing (crash, partition) drops out of the cluster after the TTL. Renewed
 * with one keep-alive call every TTL/3 on the registry's thread, each bounded by TTL/3, so that health
 * can say exactly when the last renewal succeeded: {@code STALE} once that is longer ago than the TTL.
 * A lease that etcd no longer knows (it expired during a partition) is replaced by a new one, and the
 * relay's keys are written again under it.
 */
final class RelayLease {
    private static final Logger log = LoggerFactory.getLogger(RelayLease.class);

    private final Client client;
    private final ByteSequence relayKey;
    private final ByteSequence peerAddress;
    private final Duration ttl;
    private final long callTimeoutMillis;
    private final LongConsumer replaced;
    private volatile long id;
    private volatile long renewedAt;
    private volatile boolean stale;
    private ScheduledFuture<?> renewals;

    /** @param replaced told the new lease after a lapsed one was replaced, to write the relay's member keys again */
    RelayLease(Client client, String relayKey, String peerAddress, Duration ttl, long callTimeoutMillis, LongConsumer replaced) {
        this.client = client;
        this.relayKey = Bytes.of(relayKey);
        this.peerAddress = Bytes.of(peerAddress);
        this.ttl = ttl;
        this.callTimeoutMillis = callTimeoutMillis;
        this.replaced = replaced;
    }

    /** Grants the lease, writes the relay key under it and starts renewing it on {@code thread}. */
    void start(ScheduledExecutorService thread) throws RegistryUnavailableException {
        grantAndWrite(Calls.deadline(callTimeoutMillis));
        long period = Math.max(100, ttl.toMillis() / 3);
        renewals = thread.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    long id() {
        return id;
    }

    Health health() {
        return System.nanoTime() - renewedAt > ttl.toNanos() ? Health.STALE : Health.OK;
    }

    /** How long ago etcd last confirmed the lease. */
    Duration sinceRenewal() {
        return Duration.ofNanos(System.nanoTime() - renewedAt);
    }

    private void grantAndWrite(long deadline) throws RegistryUnavailableException {
        long lease = Calls.await(client.getLeaseClient().grant(Math.max(1, ttl.toSeconds())), deadline, "grant the relay lease").getID();
        Calls.await(client.getKVClient().put(relayKey, peerAddress, PutOption.builder().withLeaseId(lease).build()), deadline,
                "write the relay key");
        id = lease;
        renewedAt = System.nanoTime();
    }

    private void renew() {
        long period = Math.max(100, ttl.toMillis() / 3);
        try {
            LeaseKeepAliveResponse r = Calls.await(client.getLeaseClient().keepAliveOnce(id), Calls.deadline(period), "renew the relay lease");
            if (r.getTTL() > 0) {
                renewedAt = System.nanoTime();
            } else {
                replace();
            }
        } catch (RegistryUnavailableException e) {
            if (String.valueOf(e.getMessage()).contains("lease not found")) {
                replace();
            } else {
                log.debug("event=relay_lease_renewal_failed error=\"{}\"", e.getMessage());
            }
        }
        boolean nowStale = health() == Health.STALE;
        if (nowStale != stale) {
            stale = nowStale;
            if (nowStale) {
                log.warn("event=registry_stale relay_key={} last_renewal_ms_ago={} ttl_s={}", Bytes.text(relayKey),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - renewedAt), ttl.toSeconds());
            } else {
                log.info("event=registry_ok relay_key={}", Bytes.text(relayKey));
            }
        }
    }

    private void replace() {
        long old = id;
        try {
            grantAndWrite(Calls.deadline(callTimeoutMillis));
            replaced.accept(id);
            log.warn("event=relay_lease_replaced old_lease={} lease={} (etcd had let it expire)", Long.toHexString(old), Long.toHexString(id));
        } catch (RegistryUnavailableException e) {
            log.warn("event=relay_lease_replace_failed error=\"{}\"", e.getMessage());
        }
    }

    /** Stops renewing; {@code revoke}: also drops the relay's keys at once (a clean leave) instead of after the TTL. */
    void stop(boolean revoke) {
        if (renewals != null) {
            renewals.cancel(false);
        }
        if (revoke && id != 0) {
            try {
                Calls.await(client.getLeaseClient().revoke(id), Calls.deadline(callTimeoutMillis), "revoke the relay lease");
            } catch (RegistryUnavailableException e) {
                log.warn("event=relay_lease_revoke_failed error=\"{}\" (its keys lapse after {} s)", e.getMessage(), ttl.toSeconds());
            }
        }
    }
}
