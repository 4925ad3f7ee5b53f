package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClusterCertificates;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * The cluster's ACME coordination in etcd ({@link EtcdKeys}, {@code acme/}). The order lock is a
 * create-if-absent transaction on {@code acme/orders/HOST} under a fresh lease of the relay TTL
 * ({@link EtcdOrderLock}); of relays racing for one name exactly one commits. Answers and
 * certificates are followed by {@link EtcdAcmeWatch}.
 */
final class EtcdClusterCertificates implements ClusterCertificates {
    private static final Logger log = LoggerFactory.getLogger(EtcdClusterCertificates.class);

    private final Client client;
    private final EtcdKeys keys;
    private final String relayId;
    private final long lockTtlSeconds;
    private final long timeoutMillis;
    private final ScheduledThreadPoolExecutor thread;
    private final List<EtcdAcmeWatch> watches = new ArrayList<>();

    /** Order locks taken and not yet given up (one per ACME order in progress). */
    private final Set<EtcdOrderLock> held = ConcurrentHashMap.newKeySet();

    private EtcdClusterCertificates(Client client, RegistryOptions options, String relayId, Duration lockTtl) {
        this.client = client;
        this.keys = new EtcdKeys(options.prefix());
        this.relayId = relayId;
        this.lockTtlSeconds = Math.max(2, lockTtl.toSeconds());
        this.timeoutMillis = options.callTimeout().toMillis();
        // After close, jetcd's last callbacks find the thread shut down and are dropped.
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "homeport-acme-etcd");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
    }

    static EtcdClusterCertificates open(RegistryOptions options, String relayId, Duration lockTtl) throws RegistryUnavailableException {
        return new EtcdClusterCertificates(EtcdClients.open(options), options, relayId, lockTtl);
    }

    @Override
    public OrderLock tryLock(String host) throws RegistryUnavailableException {
        ByteSequence key = Bytes.of(keys.acmeOrder(host));
        long deadline = Calls.deadline(timeoutMillis);
        // A read first: a relay waiting for another's order asks every few seconds, and a read grants no lease.
        if (Calls.await(client.getKVClient().get(key, GetOption.builder().withCountOnly(true).build()), deadline,
                "read the order lock for " + host).getCount() > 0) {
            return null;
        }
        long lease = Calls.await(client.getLeaseClient().grant(lockTtlSeconds), deadline, "grant the order lock's lease for " + host)
                .getID();
        boolean won = false;
        try {
            TxnResponse r = Calls.await(client.getKVClient().txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(key, Bytes.of(relayId), PutOption.builder().withLeaseId(lease).build()))
                    .commit(), deadline, "take the order lock for " + host);
            won = r.isSucceeded();
        } finally {
            if (!won) {
                revoke(lease, host);
            }
        }
        if (!won) {
            return null; // another relay committed between the read and the transaction
        }
        log.info("event=acme_order_lock_taken host={} relay={} lease={} ttl_s={}", host, relayId, Long.toHexString(lease),
                lockTtlSeconds);
        EtcdOrderLock[] lock = new EtcdOrderLock[1];
        lock[0] = new EtcdOrderLock(client, keys, host, lease, lockTtlSeconds, timeoutMillis, thread,
                () -> held.remove(lock[0]));
        held.add(lock[0]);
        return lock[0];
    }

    private void revoke(long lease, String host) {
        try {
            Calls.await(client.getLeaseClient().revoke(lease), Calls.deadline(timeoutMillis), "drop the unused lease for " + host);
        } catch (RegistryUnavailableException e) {
            log.debug("event=acme_lease_revoke_failed host={} reason=\"{}\" (it lapses)", host, e.getMessage());
        }
    }

    @Override
    public synchronized void watch(Listener listener) throws RegistryUnavailableException {
        EtcdAcmeWatch w = new EtcdAcmeWatch(client, keys, thread, timeoutMillis, listener);
        w.start();
        watches.add(w);
    }

    @Override
    public synchronized void close() {
        held.forEach(EtcdOrderLock::stopRenewing); // not given up: they lapse, as a kill -9 leaves them
        held.clear();
        watches.forEach(EtcdAcmeWatch::close);
        thread.shutdownNow();
        client.close();
    }
}
