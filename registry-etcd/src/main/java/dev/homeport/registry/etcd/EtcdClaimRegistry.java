package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClaimLossListener;
import dev.homeport.server.cluster.ClaimOutcome;
import dev.homeport.server.cluster.ClaimRegistry;
import dev.homeport.server.cluster.ClaimRequest;
import dev.homeport.server.cluster.PeerRouteTable;
import dev.homeport.server.cluster.PeerRoutes;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's claims in etcd. Keys ({@link EtcdKeys}) and leases:
 * <ul>
 * <li>{@code relays/ID} → peer address, under the relay's lease (TTL ~10 s, renewed every TTL/3, {@link RelayLease}).
 * <li>{@code claims/NAME} → token, kind, pool flag, access rules ({@link ClaimValue}), under the name's own
 *     claim lease (TTL = the grace). Every relay with a session serving the name keeps that lease alive
 *     ({@link LocalClaims}); when the last one stops (session ended, or relay dead), the claim stays for one
 *     grace, held for its token, then lapses and the name is free.
 * <li>{@code members/NAME/RELAY/SESSION} → the client instance ({@link MemberValue}), under the relay's lease:
 *     a live session that serves the name. A dead relay's members go with its lease.
 * </ul>
 * A claim ({@link ClaimTransaction}) reads the claim key and its members in one snapshot, decides by
 * {@link ClaimRules} (the single relay's SameTokenClaim rules) and commits in one transaction guarded by the claim key: its
 * create_revision is 0 (free name) or its mod_revision is the one read. Every granting transaction
 * rewrites the claim key, so two grants never both pass on one snapshot: of 16 racing tokens exactly one
 * wins, and the others read the winner on their retry. Every call waits at most the options' call timeout
 * ({@link RegistryOptions#callTimeout()}), retries included; blocking, so call it off the event loop.
 * <p>
 * Why a lease per name rather than per session: the members of a pool may sit on several relays and
 * come and go in any order; the claim must outlive each of them but not the last one by more than the
 * grace, which a lease that every serving relay renews gives without moving the claim between leases.
 * <p>
 * Losses: when the watch sees one of this relay's member keys deleted while its lease lives, the
 * same client took the name over through another session, and {@link ClaimLossListener}s hear of it;
 * so they do when a claim this relay renews lapses. A member key that went with a lapsed relay lease is
 * written back under the relay's new lease ({@link RelayLease}), if its claim is still the one it won.
 */
public final class EtcdClaimRegistry implements ClaimRegistry, EtcdPeerRoutes.Deletions {
    private static final Logger log = LoggerFactory.getLogger(EtcdClaimRegistry.class);
    /** A release etcd did not confirm is tried again this often, this many times, in the background. */
    static final int RELEASE_RETRIES = 30;
    static final long RELEASE_RETRY_DELAY_MS = 1000;
    /** How often the claim leases due for renewal are looked for; each is renewed every grace/3. */
    static final long CLAIM_RENEWAL_TICK_MS = 100;

    private final Client client;
    private final EtcdKeys keys;
    private final long timeoutMillis;
    private final ScheduledExecutorService thread;
    private final LocalClaims local;
    private final ClaimTransaction transaction;
    private final PeerRouteTable routes = new PeerRouteTable();
    private final List<ClaimLossListener> lossListeners = new CopyOnWriteArrayList<>();
    private volatile String relayId;
    private volatile RelayLease relayLease;
    private volatile EtcdPeerRoutes peerRoutes;
    private boolean stopped;

    EtcdClaimRegistry(Client client, RegistryOptions options) {
        this.client = client;
        this.keys = new EtcdKeys(options.prefix());
        this.timeoutMillis = options.callTimeout().toMillis();
        // Two threads: the relay lease's renewals never wait behind a watch re-sync that waits on etcd. After close,
        // jetcd's last callbacks find it shut down and are dropped.
        ScheduledThreadPoolExecutor threads = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "homeport-registry");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
        threads.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.thread = threads;
        this.local = new LocalClaims(client.getLeaseClient(), timeoutMillis, this::claimDeleted);
        thread.scheduleWithFixedDelay(local::renewDue, CLAIM_RENEWAL_TICK_MS, CLAIM_RENEWAL_TICK_MS, TimeUnit.MILLISECONDS);
        this.transaction = new ClaimTransaction(client, keys);
    }

    /** Connects to the etcd cluster named in {@code options}. */
    public static EtcdClaimRegistry open(RegistryOptions options) throws RegistryUnavailableException {
        return new EtcdClaimRegistry(EtcdClients.open(options), options);
    }

    @Override
    public synchronized void registerRelay(String id, InetSocketAddress peerAddress, Duration ttl) throws RegistryUnavailableException {
        if (relayLease != null) {
            throw new IllegalStateException("relay " + relayId + " is registered already");
        }
        relayId = id;
        RelayLease lease = new RelayLease(client, keys.relay(id), PeerAddressText.format(peerAddress), ttl, timeoutMillis, this::rewriteMembers);
        lease.start(thread);
        relayLease = lease;
        EtcdPeerRoutes watch = new EtcdPeerRoutes(client, keys, id, routes, thread, timeoutMillis, this);
        watch.start();
        peerRoutes = watch;
        log.info("event=relay_registered relay={} peer={} ttl_s={} prefix={}", id, PeerAddressText.format(peerAddress),
                ttl.toSeconds(), keys.prefix());
    }

    @Override
    public Claim claim(ClaimRequest req) throws RegistryUnavailableException {
        RelayLease lease = registered();
        ClaimTransaction.Result r = transaction.run(req, relayId, lease.id(), Calls.deadline(timeoutMillis));
        if (r.grant() == null) {
            return new Claim(r.refusal().outcome(), r.refusal().holder(), r.refusal().reason());
        }
        ClaimTransaction.Grant g = r.grant();
        local.joined(req.name(), g.claimLease(), g.claimCreated(), req.grace().toMillis(), g.memberKey(), g.member().encode(),
                g.decision().outcome() == ClaimOutcome.WON);
        for (MemberValue m : g.decision().replaced()) {
            if (m.relayId().equals(relayId)) {
                local.left(req.name(), keys.member(req.name(), m.relayId(), m.session()));
            }
        }
        log.info("event=claim_{} name={} principal={} session={} connection={} relay={} pool={}",
                g.decision().outcome().name().toLowerCase(Locale.ROOT), req.name(), req.owner().principal(), req.owner().session(),
                req.connection(), relayId, req.pool());
        return new Claim(g.decision().outcome(), req.owner(), "");
    }

    /**
     * Deletes the session's member key. When etcd does not confirm within the call timeout this throws,
     * and the registry goes on deleting the key in the background ({@link #RELEASE_RETRIES} times,
     * {@link #RELEASE_RETRY_DELAY_MS} apart): the caller only logs it.
     */
    @Override
    public void release(String name, Owner owner) throws RegistryUnavailableException {
        registered();
        String memberKey = keys.member(name, owner.relayId(), owner.session());
        long lease = local.left(name, memberKey).lastLease();
        if (lease != 0) {
            // The last session of this relay left: one last renewal, so the name is held a whole grace from now.
            try {
                Calls.await(client.getLeaseClient().keepAliveOnce(lease), Calls.deadline(timeoutMillis), "renew the claim of " + name);
            } catch (RegistryUnavailableException e) {
                log.debug("event=claim_last_renewal_failed name={} error=\"{}\"", name, e.getMessage());
            }
        }
        // Deletes only this session's own member key (the key names relay and session): a session that no longer holds
        // the name, because a newer session of its client took it over, finds its key gone and removes nothing of the
        // holder's. The claim key is never deleted here; it lapses with its lease.
        try {
            Calls.await(client.getKVClient().delete(Bytes.of(memberKey)), Calls.deadline(timeoutMillis), "release " + name);
        } catch (RegistryUnavailableException e) {
            retryDelete(memberKey, RELEASE_RETRIES);
            throw e;
        }
        log.info("event=claim_released name={} session={} relay={} last_here={}", name, owner.session(), relayId, lease != 0);
    }

    private void retryDelete(String memberKey, int left) {
        if (left <= 0 || thread.isShutdown()) {
            log.warn("event=release_abandoned key={} (the key goes when this relay's lease does)", memberKey);
            return;
        }
        thread.schedule(() -> client.getKVClient().delete(Bytes.of(memberKey))
                .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .whenComplete((done, failed) -> {
                    if (failed != null) {
                        retryDelete(memberKey, left - 1);
                    }
                }), RELEASE_RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onLoss(ClaimLossListener listener) {
        lossListeners.add(listener);
    }

    /**
     * The watch saw a member key deleted: if it is one of ours that we did not release, its client's new
     * session took it over, or this relay's lease lapsed (etcd unreachable for a whole TTL) and took it along.
     */
    @Override
    public void memberDeleted(String name, String memberRelay, String session, long lease) {
        if (!memberRelay.equals(relayId)) {
            return;
        }
        // Taken over (a transaction deleted it while its lease lives), or gone with a lapsed relay lease, which
        // rewriteMembers puts back: asking etcd about the lease tells which. Off the watch thread.
        thread.execute(() -> {
            if (lease != 0 && leaseExpired(lease)) {
                return;
            }
            if (local.left(name, keys.member(name, memberRelay, session)).wasHere()) {
                lost(name, session, "taken over by the same client on a new session");
            }
        });
    }

    private boolean leaseExpired(long lease) {
        try {
            return Calls.await(client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT), Calls.deadline(timeoutMillis),
                    "ask about a lease").getTTL() <= 0;
        } catch (RegistryUnavailableException e) {
            return false; // cannot tell: fail closed, as a loss
        }
    }

    /**
     * This relay's lease had lapsed (etcd unreachable for a whole TTL) and was replaced: writes the
     * member keys again under the new one, each only if the name's claim is still the one they won;
     * a claim that lapsed or changed hands meanwhile is lost for its sessions here.
     */
    private void rewriteMembers(long newLease) {
        for (LocalClaims.Held h : local.held()) {
            ByteSequence claimKey = Bytes.of(keys.claim(h.name()));
            List<Op> puts = new ArrayList<>();
            h.members().forEach((k, v) -> puts.add(Op.put(Bytes.of(k), Bytes.of(v), PutOption.builder().withLeaseId(newLease).build())));
            try {
                TxnResponse r = Calls.await(client.getKVClient().txn()
                        .If(new Cmp(claimKey, Cmp.Op.EQUAL, CmpTarget.createRevision(h.claimCreated())))
                        .Then(puts.toArray(Op[]::new)).commit(), Calls.deadline(timeoutMillis), "write the members of " + h.name() + " again");
                if (!r.isSucceeded()) {
                    claimDeleted(h.name(), h.lease());
                }
            } catch (RegistryUnavailableException e) {
                log.warn("event=members_rewrite_failed name={} error=\"{}\"", h.name(), e.getMessage());
            }
        }
    }

    /** The watch saw a claim key deleted (its lease expired), or etcd no longer knows a claim lease we renew. */
    @Override
    public void claimDeleted(String name, long lease) {
        for (String value : local.lapsed(name, lease).values()) {
            lost(name, MemberValue.decode(value).session(), "its claim lapsed: no relay renewed it for a whole grace");
        }
    }

    private void lost(String name, String session, String why) {
        log.warn("event=claim_lost name={} session={} relay={} reason=\"{}\"", name, session, relayId, why);
        for (ClaimLossListener l : lossListeners) {
            l.lost(name, session, why);
        }
    }

    @Override
    public PeerRoutes routes() {
        return routes;
    }

    @Override
    public Health health() {
        RelayLease lease = relayLease;
        return lease == null ? Health.STALE : lease.health();
    }

    @Override
    public Duration sinceRenewal() {
        RelayLease lease = relayLease;
        return lease == null ? Duration.ZERO : lease.sinceRenewal();
    }

    private RelayLease registered() {
        RelayLease lease = relayLease;
        if (lease == null) {
            throw new IllegalStateException("registerRelay first: this relay is not in the cluster yet");
        }
        return lease;
    }

    /** Leaves the cluster at once: revokes the relay lease, so its members go now and its names are held for the grace. */
    @Override
    public void close() {
        stop(true);
    }

    /** As a crash: stops renewing and closes the connection but revokes nothing, so every key lapses by its TTL. */
    void abandon() {
        stop(false);
    }

    private synchronized void stop(boolean revoke) {
        if (stopped) {
            return;
        }
        stopped = true;
        if (peerRoutes != null) {
            peerRoutes.close();
        }
        local.close();
        if (relayLease != null) {
            relayLease.stop(revoke);
        }
        // Every etcd call of the registry's threads ends before the client closes: a stream written during the
        // client's close leaks its buffer in gRPC.
        thread.shutdown();
        try {
            if (!thread.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
        client.close();
        log.info("event=relay_left relay={} revoked={}", relayId, revoke);
    }
}
