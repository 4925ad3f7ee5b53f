package dev.homeport.server.cluster;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link PeerRoutes} held in two concurrent maps: the registry's watch writes them, the public
 * listeners read them on every new connection without a lock. Names this relay serves itself are
 * never put here (the watch skips its own relay id), so a local tunnel always wins.
 */
public final class PeerRouteTable implements PeerRoutes {
    private final Map<Integer, RemoteRoute> ports = new ConcurrentHashMap<>();
    private final Map<String, RemoteRoute> hosts = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    @Override
    public RemoteRoute forPort(int port) {
        return ports.get(port);
    }

    @Override
    public RemoteRoute forHost(String host) {
        return hosts.get(host.toLowerCase(Locale.ROOT));
    }

    @Override
    public Set<Integer> ports() {
        return Collections.unmodifiableSet(ports.keySet());
    }

    @Override
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** {@code port} is served by {@code route}'s relay now; {@code null} means by none. */
    public void port(int port, RemoteRoute route) {
        RemoteRoute before = route == null ? ports.remove(port) : ports.put(port, route);
        if (before != route) {
            changed();
        }
    }

    /** {@code host} is served by {@code route}'s relay now; {@code null} means by none. */
    public void host(String host, RemoteRoute route) {
        String key = host.toLowerCase(Locale.ROOT);
        RemoteRoute before = route == null ? hosts.remove(key) : hosts.put(key, route);
        if (before != route) {
            changed();
        }
    }

    /** Forgets every route of {@code relayId}, as when its registration lapses. */
    public void forgetRelay(String relayId) {
        boolean gone = ports.values().removeIf(r -> r.relayId().equals(relayId));
        gone |= hosts.values().removeIf(r -> r.relayId().equals(relayId));
        if (gone) {
            changed();
        }
    }

    private void changed() {
        for (Runnable listener : listeners) {
            listener.run();
        }
    }
}
