package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.PeerRouteTable;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.watch.WatchEvent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Keeps a {@link PeerRouteTable} filled with the routes other relays hold, following the whole prefix
 * through a {@link ResyncingWatch}, and tells the registry of the deletions it must act on.
 */
final class EtcdPeerRoutes implements ResyncingWatch.Follower {
    /** Deletions the registry must hear of: its own members and any claim, with the claim's lease. */
    interface Deletions {
        /** @param lease the deleted key's lease, 0 when etcd did not say */
        void memberDeleted(String name, String relayId, String session, long lease);

        void claimDeleted(String name, long lease);
    }

    private final EtcdKeys keys;
    private final ClusterView view;
    private final Deletions deletions;
    private final ResyncingWatch watch;

    EtcdPeerRoutes(Client client, EtcdKeys keys, String ownRelayId, PeerRouteTable table, ScheduledExecutorService thread,
                   long callTimeoutMillis, Deletions deletions) {
        this.deletions = deletions;
        this.keys = keys;
        this.view = new ClusterView(keys, ownRelayId, table);
        this.watch = new ResyncingWatch(client, keys.prefix(), true, "routes", thread, callTimeoutMillis, this);
    }

    /** The first read and the watch; throws when etcd does not answer the read (the relay then fails to join). */
    void start() throws RegistryUnavailableException {
        watch.start();
    }

    @Override
    public void reset(List<KeyValue> kvs) {
        Map<String, String> all = new LinkedHashMap<>();
        for (KeyValue kv : kvs) {
            all.put(Bytes.text(kv.getKey()), Bytes.text(kv.getValue()));
        }
        view.reset(all);
    }

    @Override
    public void changed(List<WatchEvent> events) {
        for (WatchEvent e : events) {
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

    void close() {
        watch.close();
    }
}
