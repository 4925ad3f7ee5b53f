package dev.homeport.registry.etcd;

import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * The names this relay's sessions serve, with their member keys, and the keep-alive of each name's
 * claim lease: a relay keeps a claim alive while at least one of its sessions serves the name, so the
 * claim lapses one grace after the last client anywhere is gone (or its relay died). jetcd sends all
 * keep-alives over one stream.
 */
final class LocalClaims {
    private static final Logger log = LoggerFactory.getLogger(LocalClaims.class);

    /** What {@link #left} found: whether the member was here, and the claim lease when it was the last one here (else 0). */
    record Departure(boolean wasHere, long lastLease) {
    }

    /** A name served here: its claim lease, the claim's create revision (which claim it is) and the member keys here. */
    record Held(String name, long lease, long claimCreated, Map<String, String> members) {
    }

    private final Lease leases;
    private final Executor thread;
    private final BiConsumer<String, Long> lapsed;
    private final Map<String, Entry> names = new HashMap<>();

    private final class Entry implements StreamObserver<LeaseKeepAliveResponse> {
        final String name;
        final long lease;
        final long claimCreated;
        final Map<String, String> members = new LinkedHashMap<>();
        CloseableClient keepAlive;

        Entry(String name, long lease, long claimCreated) {
            this.name = name;
            this.lease = lease;
            this.claimCreated = claimCreated;
        }

        @Override
        public void onNext(LeaseKeepAliveResponse response) {
        }

        @Override
        public void onError(Throwable t) {
            if (String.valueOf(t.getMessage()).contains("lease not found")) {
                log.warn("event=claim_lapsed name={} lease={} (etcd let the claim lapse: no renewal for a whole grace)", name,
                        Long.toHexString(lease));
                thread.execute(() -> lapsed.accept(name, lease));
            }
            // Any other error is the keep-alive stream breaking: jetcd opens it again by itself.
        }

        @Override
        public void onCompleted() {
            // jetcd gave up after a whole TTL without an answer: ask again while the name is still served here.
            thread.execute(() -> {
                synchronized (LocalClaims.this) {
                    if (names.get(name) == this) {
                        keepAlive = leases.keepAlive(lease, this);
                    }
                }
            });
        }
    }

    /**
     * @param thread where jetcd's callbacks continue, so they never take this lock while holding jetcd's
     * @param lapsed told (name, claim lease) when etcd no longer knows a claim lease this relay keeps alive
     */
    LocalClaims(Lease leases, Executor thread, BiConsumer<String, Long> lapsed) {
        this.leases = leases;
        this.thread = thread;
        this.lapsed = lapsed;
    }

    /** {@code memberKey} (with {@code memberValue}) serves {@code name}, whose claim (created at {@code claimCreated}) is under {@code lease}. */
    synchronized void joined(String name, long lease, long claimCreated, String memberKey, String memberValue) {
        Entry e = names.get(name);
        if (e != null && e.lease != lease) {
            e.keepAlive.close(); // the name's old claim lapsed and this is a new one
            e = null;
        }
        if (e == null) {
            e = new Entry(name, lease, claimCreated);
            names.put(name, e);
            e.keepAlive = leases.keepAlive(lease, e);
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
        e.keepAlive.close();
        return new Departure(true, e.lease);
    }

    /** The claim of {@code name} under {@code lease} is gone: forgets it; returns the member keys it had here (key → value). */
    synchronized Map<String, String> lapsed(String name, long lease) {
        Entry e = names.get(name);
        if (e == null || e.lease != lease) {
            return Map.of();
        }
        names.remove(name);
        e.keepAlive.close();
        return e.members;
    }

    /** Every name served here, as it is now. */
    synchronized List<Held> held() {
        List<Held> all = new ArrayList<>();
        names.values().forEach(e -> all.add(new Held(e.name, e.lease, e.claimCreated, Map.copyOf(e.members))));
        return all;
    }

    synchronized void close() {
        names.values().forEach(e -> e.keepAlive.close());
        names.clear();
    }
}
