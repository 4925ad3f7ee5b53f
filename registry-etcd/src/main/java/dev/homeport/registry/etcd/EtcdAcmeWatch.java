package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClusterCertificates;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.watch.WatchEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The cluster's ACME answers and certificates ({@code acme/}) as one relay follows them through a
 * {@link ResyncingWatch}, each change told to the {@link ClusterCertificates.Listener}. The fresh read
 * after a failed watch also withdraws the answers deleted meanwhile. Order locks are not followed: only
 * their holder needs them.
 */
final class EtcdAcmeWatch implements ResyncingWatch.Follower {
    private static final Logger log = LoggerFactory.getLogger(EtcdAcmeWatch.class);

    private final EtcdKeys keys;
    private final ClusterCertificates.Listener listener;
    private final ResyncingWatch watch;
    /** The answer and certificate keys last seen, so a fresh read can tell which were deleted meanwhile. */
    private final Set<String> present = new HashSet<>();

    EtcdAcmeWatch(Client client, EtcdKeys keys, ScheduledExecutorService thread, long callTimeoutMillis,
                  ClusterCertificates.Listener listener) {
        this.keys = keys;
        this.listener = listener;
        this.watch = new ResyncingWatch(client, keys.acme(), false, "acme", thread, callTimeoutMillis, this);
    }

    /** The first read, told to the listener before this returns, and the watch from the revision after it. */
    void start() throws RegistryUnavailableException {
        watch.start();
    }

    @Override
    public void reset(List<KeyValue> kvs) {
        Set<String> gone = new HashSet<>(present);
        for (KeyValue kv : kvs) {
            String key = Bytes.text(kv.getKey());
            gone.remove(key);
            keyChanged(key, Bytes.text(kv.getValue()));
        }
        gone.forEach(key -> keyChanged(key, null));
    }

    @Override
    public void changed(List<WatchEvent> events) {
        for (WatchEvent e : events) {
            String key = Bytes.text(e.getKeyValue().getKey());
            if (e.getEventType() == WatchEvent.EventType.PUT) {
                keyChanged(key, Bytes.text(e.getKeyValue().getValue()));
            } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
                keyChanged(key, null);
            }
        }
    }

    /** One key's new value, or {@code null} when it was deleted; one listener failure does not stop the others. */
    private void keyChanged(String key, String value) {
        AcmeKey k = AcmeKey.parse(keys.prefix(), key);
        if (value == null) {
            present.remove(key);
        } else if (k.kind() != AcmeKey.Kind.ORDER && k.kind() != AcmeKey.Kind.OTHER) {
            present.add(key);
        }
        try {
            switch (k.kind()) {
                case HTTP_ANSWER -> listener.httpAnswer(k.host(), k.token(), value);
                case ALPN_PROOF -> listener.alpnProof(k.host(), value);
                case CERTIFICATE -> {
                    if (value != null) { // a deleted certificate stays presented until it is replaced or expires
                        listener.certificate(k.host(), value);
                    }
                }
                default -> {
                }
            }
        } catch (RuntimeException e) {
            log.warn("event=acme_shared_listener_failed key={} reason=\"{}\"", key, e.toString());
        }
    }

    void close() {
        watch.close();
    }
}
