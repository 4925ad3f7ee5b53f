package dev.homeport.registry.etcd;

import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.server.auth.Reservations;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.watch.WatchEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The cluster's tokens as one relay's handshake reads them, followed by a {@link ResyncingWatch}, so a
 * login never waits on etcd and a {@code token revoke} on any host reaches every relay as soon as etcd
 * sends the event. A removed token, or one whose key changed, is announced to the {@link #onRevoked}
 * listeners; the fresh read after a failed watch announces whatever was revoked meanwhile, and until
 * then the tokens last seen stay valid.
 */
final class EtcdTokenDirectory implements TokenDirectory, ResyncingWatch.Follower {
    private static final Logger log = LoggerFactory.getLogger(EtcdTokenDirectory.class);

    private final EtcdKeys keys;
    private final ResyncingWatch watch;
    private final List<Consumer<String>> revokedListeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, TokenFile.Entry> byName = Map.of();
    private volatile Map<Long, TokenFile.Entry> byId = Map.of();

    EtcdTokenDirectory(Client client, EtcdKeys keys, ScheduledExecutorService thread, long callTimeoutMillis) {
        this.keys = keys;
        this.watch = new ResyncingWatch(client, keys.tokens(), false, "tokens", thread, callTimeoutMillis, this);
    }

    /** The first read and the watch; throws when etcd does not answer the read (the relay then does not start). */
    void start() throws RegistryUnavailableException {
        watch.start();
    }

    int size() {
        return byName.size();
    }

    @Override
    public TokenKey find(long tokenId) {
        TokenFile.Entry e = byId.get(tokenId);
        return e == null ? null : e.key();
    }

    @Override
    public TokenRights rights(String principal) {
        TokenFile.Entry e = byName.get(principal);
        return e == null ? null : e.rights();
    }

    @Override
    public String reservedBy(int port) {
        return Reservations.ofPort(byName.values(), port);
    }

    @Override
    public String reservedHostBy(String host) {
        return Reservations.ofHost(byName.values(), host);
    }

    @Override
    public void onRevoked(Consumer<String> listener) {
        revokedListeners.add(listener);
    }

    @Override
    public void reset(List<KeyValue> kvs) {
        Map<String, TokenFile.Entry> fresh = new HashMap<>();
        for (KeyValue kv : kvs) {
            apply(fresh, Bytes.text(kv.getKey()), Bytes.text(kv.getValue()));
        }
        replace(fresh);
    }

    @Override
    public void changed(List<WatchEvent> events) {
        Map<String, TokenFile.Entry> next = new HashMap<>(byName);
        for (WatchEvent e : events) {
            String key = Bytes.text(e.getKeyValue().getKey());
            if (e.getEventType() == WatchEvent.EventType.PUT) {
                apply(next, key, Bytes.text(e.getKeyValue().getValue()));
            } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
                next.remove(keys.tokenName(key));
            }
        }
        replace(next);
    }

    /** Records one token key; a malformed value, or the name kept for the --token holder, leaves the token out. */
    private void apply(Map<String, TokenFile.Entry> into, String key, String value) {
        String name = keys.tokenName(key);
        if (TokenFile.isReserved(name)) {
            log.warn("event=token_ignored key={} reason=\"reserved for the --token holder; revoke it and add it under another name\"",
                    key);
            into.remove(name);
            return;
        }
        try {
            into.put(name, TokenValue.decode(name, value));
        } catch (RuntimeException e) {
            log.warn("event=token_ignored key={} reason=\"{}\"", key, e.getMessage());
            into.remove(name);
        }
    }

    private void replace(Map<String, TokenFile.Entry> next) {
        Map<Long, TokenFile.Entry> ids = new HashMap<>();
        next.values().forEach(e -> ids.put(e.key().id(), e));
        Map<String, TokenFile.Entry> previous = byName;
        byName = Map.copyOf(next);
        byId = Map.copyOf(ids);
        for (TokenFile.Entry old : previous.values()) {
            TokenFile.Entry now = next.get(old.name());
            if (now == null || !Arrays.equals(now.keyHash(), old.keyHash())) {
                announceRevoked(old.name());
            }
        }
    }

    private void announceRevoked(String name) {
        log.info("event=token_revoked name={} source=etcd", name);
        for (Consumer<String> l : revokedListeners) {
            try {
                l.accept(name);
            } catch (RuntimeException e) {
                // One listener's failure must not keep the others (closing sessions elsewhere) from hearing it.
                log.warn("event=token_revoked_listener_failed name={} reason=\"{}\"", name, e.toString());
            }
        }
    }

    void close() {
        watch.close();
    }
}
