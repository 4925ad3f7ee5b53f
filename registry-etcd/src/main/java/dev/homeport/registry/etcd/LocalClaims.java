package dev.homeport.registry.etcd;

import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The names this relay's sessions serve, with their member keys, and the renewal of each name's
 * claim lease: a relay renews a claim while at least one of its sessions serves the name, so the
 * claim lapses one grace after the last client anywhere is gone (or its relay died). Renewed by one
 * keep-alive call per name every grace/3 from the registry's thread ({@link #renewDue}), each awaited:
 * jetcd's streaming keep-alive writes from its own timer thread and can race the client's close,
 * leaking a buffer in gRPC; calls the registry awaits never outlive its close.
 */
final class LocalClaims {
    private static final Logger log = LoggerFactory.getLogger(LocalClaims.class);

    /** What {@link #left} found: whether the member was here, and the claim lease when it was the last one here (else 0). */
    record Departure(boolean wasHere, long lastLease) {
    }

    /** A name served here: its claim lease, the claim's create revision (which claim it is) and the member keys here. */
    record Held(String name, long lease, long claimCreated, Map<String, String> members) {
    }

    private static final class Entry {
        final String name;
        final long lease;
        final long claimCreated;
        final long renewEveryNanos;
        final Map<String, String> members = new LinkedHashMap<>();
        long nextRenewal;

        Entry(String name, long lease, long claimCreated, long graceMillis, boolean renewNow) {
            this.name = name;
            this.lease = lease;
            this.claimCreated = claimCreated;
            this.renewEveryNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(100, graceMillis / 3));
            this.nextRenewal = System.nanoTime() + (renewNow ? 0 : renewEveryNanos);
        }
    }

    private final Lease leases;
    private final long callTimeoutMillis;
    private final BiConsumer<String, Long> lapsed;
    private final Map<String, Entry> names = new HashMap<>();

    /** @param lapsed told (name, claim lease) when etcd no longer knows a claim lease this relay renews */
    LocalClaims(Lease leases, long callTimeoutMillis, BiConsumer<String, Long> lapsed) {
        this.leases = leases;
        this.callTimeoutMillis = callTimeoutMillis;
        this.lapsed = lapsed;
    }

    /**
     * {@code memberKey} (with {@code memberValue}) serves {@code name}, whose claim (created at {@code claimCreated}) is under
     * {@code lease}; {@code leaseGranted}: this claim granted the lease, so it has a whole grace left.
     */
    synchronized void joined(String name, long lease, long claimCreated, long graceMillis, String memberKey, String memberValue,
                             boolean leaseGranted) {
        Entry e = names.get(name);
        if (e == null || e.lease != lease) {
            // New here, or the name's old claim lapsed and this is a new one. A lease this relay did not grant (a claim
            // reclaimed, taken over or joined) may have less than grace/3 left, e.g. a name reclaimed late in its grace:
            // renewed at the next tick, not grace/3 from now, or it lapses under the session that just won it.
            e = new Entry(name, lease, claimCreated, graceMillis, !leaseGranted);
            names.put(name, e);
        }
        e.members.put(memberKey, memberValue);
    }

    /** {@code memberKey} no longer serves {@code name}. */
    synchronized Departure left(String name, String memberKey) {
        Entry e = names.get(name);
        if (e == null || e.members.remove(memberKey) == null) {
            return new Departure(false, 0);
        }
        if (!e.members.isEmpty()) {
            return new Departure(true, 0);
        }
        names.remove(name);
        return new Departure(true, e.lease);
    }

    /** The claim of {@code name} under {@code lease} is gone: forgets it; returns the member keys it had here (key → value). */
    synchronized Map<String, String> lapsed(String name, long lease) {
        Entry e = names.get(name);
        if (e == null || e.lease != lease) {
            return Map.of();
        }
        names.remove(name);
        return e.members;
    }

    /** Renews every claim lease that is due; runs on the registry's thread. */
    void renewDue() {
        List<Entry> due = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (this) {
            for (Entry e : names.values()) {
                if (now - e.nextRenewal >= 0) {
                    due.add(e);
                }
            }
        }
        for (Entry e : due) {
            long timeout = Math.min(callTimeoutMillis, TimeUnit.NANOSECONDS.toMillis(e.renewEveryNanos));
            try {
                LeaseKeepAliveResponse r = leases.keepAliveOnce(e.lease).get(timeout, TimeUnit.MILLISECONDS);
                if (r.getTTL() > 0) {
                    synchronized (this) {
                        e.nextRenewal = System.nanoTime() + e.renewEveryNanos;
                    }
                } else {
                    lapse(e);
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception failed) {
                if (String.valueOf(Calls.messages(failed)).contains("lease not found")) {
                    lapse(e);
                } else {
                    log.debug("event=claim_renewal_failed name={} error=\"{}\"", e.name, Calls.messages(failed));
                }
            }
        }
    }

    private void lapse(Entry e) {
        log.warn("event=claim_lapsed name={} lease={} (etcd let the claim lapse: no renewal for a whole grace)", e.name,
                Long.toHexString(e.lease));
        lapsed.accept(e.name, e.lease);
    }

    /** Every name served here, as it is now. */
    synchronized List<Held> held() {
        List<Held> all = new ArrayList<>();
        names.values().forEach(e -> all.add(new Held(e.name, e.lease, e.claimCreated, Map.copyOf(e.members))));
        return all;
    }

    synchronized void close() {
        names.clear();
    }
}
