package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.PeerRouteTable;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a {@link PeerRouteTable} filled with the routes other relays hold: reads the whole prefix
 * once, then watches it from the revision after that read, so no change falls between the two. When
 * the watch fails (etcd compacted the revision it needs, or gave up), it reads and watches afresh
 * after {@link #RESYNC_DELAY_MS}; jetcd itself resumes a watch whose connection broke.
 */
final class EtcdPeerRoutes {
    private static final Logger log = LoggerFactory.getLogger(EtcdPeerRoutes.class);
    /** Pause before reading everything again after a failed watch, so an etcd that is down is not hammered. */
    static final long RESYNC_DELAY_MS = 500;

    /** Deletions the registry must hear of: its own members and any claim, with the claim's lease. */
    interface Deletions {
        /** @param lease the deleted key's lease, 0 when etcd did not say */
        void memberDeleted(String name, String relayId, String session, long lease);

        void claimDeleted(String name, long lease);
    }

    private final Client client;
    private final EtcdKeys keys;
    private final ClusterView view;
    private final Deletions deletions;
    private final ScheduledExecutorService thread;
    private final long callTimeoutMillis;
    private Watch.Watcher watcher;
    private volatile boolean closed;

    EtcdPeerRoutes(Client client, EtcdKeys keys, String ownRelayId, PeerRouteTable table, ScheduledExecutorService thread,
                   long callTimeoutMillis, Deletions deletions) {
        this.deletions = deletions;
        this.client = client;
        this.keys = keys;
        this.view = new ClusterView(keys, ownRelayId, table);
        this.thread = thread;
        this.callTimeoutMillis = callTimeoutMillis;
    }

    /** The first read and the watch; throws when etcd does not answer the read (the relay then fails to join). */
    synchronized void start() throws RegistryUnavailableException {
        GetResponse all = Calls.await(client.getKVClient().get(Bytes.of(keys.prefix()), GetOption.builder().isPrefix(true).build()),
                Calls.deadline(callTimeoutMillis), "read the cluster's routes");
        Map<String, String> kvs = new LinkedHashMap<>();
        for (KeyValue kv : all.getKvs()) {
            kvs.put(Bytes.text(kv.getKey()), Bytes.text(kv.getValue()));
        }
        view.reset(kvs);
        long from = all.getHeader().getRevision() + 1;
        watcher = client.getWatchClient().watch(Bytes.of(keys.prefix()),
                WatchOption.builder().isPrefix(true).withRevision(from).withPrevKV(true).build(),
                Watch.listener(this::onEvents, this::onWatchError, this::onWatchEnded));
        log.debug("event=routes_watch_started prefix={} revision={} keys={}", keys.prefix(), from, kvs.size());
    }

    private void onEvents(WatchResponse response) {
        for (WatchEvent e : response.getEvents()) {
            String key = Bytes.text(e.getKeyValue().getKey());
            if (e.getEventType() == WatchEvent.EventType.PUT) {
                view.put(key, Bytes.text(e.getKeyValue().getValue()));
            } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
                view.delete(key);
                EtcdKeys.Parsed p = keys.parse(key);
                if (p.kind() == EtcdKeys.Kind.MEMBER) {
                    deletions.memberDeleted(p.name(), p.relayId(), p.session(), e.getPrevKV() == null ? 0 : e.getPrevKV().getLease());
                } else if (p.kind() == EtcdKeys.Kind.CLAIM) {
                    deletions.claimDeleted(p.name(), e.getPrevKV() == null ? 0 : e.getPrevKV().getLease());
                }
            }
        }
    }

    private void onWatchError(Throwable t) {
        log.warn("event=routes_watch_failed error=\"{}\" (reading the routes again)", t.getMessage());
        resyncLater();
    }

    private void onWatchEnded() {
        resyncLater();
    }

    private void resyncLater() {
        if (closed) {
            return;
        }
        thread.schedule(this::resync, RESYNC_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private synchronized void resync() {
        if (closed) {
            return;
        }
        if (watcher != null) {
            watcher.close();
        }
        try {
            start();
            log.info("event=routes_resynced prefix={}", keys.prefix());
        } catch (RegistryUnavailableException | RuntimeException e) {
            log.warn("event=routes_resync_failed error=\"{}\"", e.getMessage());
            resyncLater();
        }
    }

    synchronized void close() {
        closed = true;
        if (watcher != null) {
            watcher.close();
        }
    }
}
