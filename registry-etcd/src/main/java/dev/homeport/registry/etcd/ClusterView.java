package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.PeerRouteTable;
import dev.homeport.server.cluster.RemoteRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The cluster's relays, claims and members as the watch last saw them, and the routes they make:
 * a name is routed to another relay when it is claimed and a session on that (registered) relay
 * serves it. Names this relay serves are never routed (its own members are skipped), so a local
 * tunnel always wins; of several other relays of a pool, the lowest relay id is chosen. Publishes
 * into the {@link PeerRouteTable} only what changed. Pure (no etcd types), so it is tested alone.
 */
final class ClusterView {
    private static final Logger log = LoggerFactory.getLogger(ClusterView.class);

    private final EtcdKeys keys;
    private final String ownRelayId;
    private final PeerRouteTable table;
    private final Map<String, InetSocketAddress> relays = new HashMap<>();
    private final Map<String, ClaimValue> claims = new HashMap<>();
    private final Map<String, Map<String, MemberValue>> members = new HashMap<>();
    private final Map<String, RemoteRoute> published = new HashMap<>();

    ClusterView(EtcdKeys keys, String ownRelayId, PeerRouteTable table) {
        this.keys = keys;
        this.ownRelayId = ownRelayId;
        this.table = table;
    }

    /** Replaces everything with a fresh read of the prefix ({@code key → value}), as after a watch error. */
    synchronized void reset(Map<String, String> all) {
        relays.clear();
        claims.clear();
        members.clear();
        Set<String> names = new HashSet<>(published.keySet());
        all.forEach((k, v) -> names.addAll(apply(k, v)));
        names.forEach(this::publish);
    }

    synchronized void put(String key, String value) {
        apply(key, value).forEach(this::publish);
    }

    synchronized void delete(String key) {
        apply(key, null).forEach(this::publish);
    }

    /** Records one key's new value ({@code null}: deleted); returns the names whose route may have changed. */
    private Set<String> apply(String key, String value) {
        EtcdKeys.Parsed p = keys.parse(key);
        try {
            switch (p.kind()) {
                case RELAY -> {
                    if (value == null) {
                        relays.remove(p.relayId());
                    } else {
                        relays.put(p.relayId(), PeerAddressText.parse(value));
                    }
                    return namesServedBy(p.relayId());
                }
                case CLAIM -> {
                    if (value == null) {
                        claims.remove(p.name());
                    } else {
                        claims.put(p.name(), ClaimValue.decode(value));
                    }
                    return Set.of(p.name());
                }
                case MEMBER -> {
                    String member = p.relayId() + "/" + p.session();
                    if (value == null) {
                        Map<String, MemberValue> m = members.get(p.name());
                        if (m != null && m.remove(member) != null && m.isEmpty()) {
                            members.remove(p.name());
                        }
                    } else {
                        members.computeIfAbsent(p.name(), n -> new HashMap<>()).put(member, MemberValue.decode(value));
                    }
                    return Set.of(p.name());
                }
                default -> {
                    return Set.of();
                }
            }
        } catch (IllegalArgumentException e) {
            log.warn("event=registry_value_ignored key={} error=\"{}\"", key, e.getMessage());
            return Set.of();
        }
    }

    private Set<String> namesServedBy(String relayId) {
        Set<String> names = new HashSet<>();
        members.forEach((name, m) -> {
            if (m.values().stream().anyMatch(v -> v.relayId().equals(relayId))) {
                names.add(name);
            }
        });
        published.forEach((name, route) -> {
            if (route.relayId().equals(relayId)) {
                names.add(name);
            }
        });
        return names;
    }

    private RemoteRoute route(String name) {
        ClaimValue claim = claims.get(name);
        Map<String, MemberValue> m = members.get(name);
        if (claim == null || m == null) {
            return null;
        }
        return m.values().stream().map(MemberValue::relayId)
                .filter(r -> !r.equals(ownRelayId) && relays.containsKey(r))
                .min(Comparator.naturalOrder())
                .map(r -> new RemoteRoute(r, relays.get(r), claim.kind(), claim.accessPolicy()))
                .orElse(null);
    }

    private void publish(String name) {
        RemoteRoute now = route(name);
        RemoteRoute before = published.get(name);
        if (same(before, now)) {
            return;
        }
        if (now == null) {
            published.remove(name);
        } else {
            published.put(name, now);
        }
        if (name.startsWith("port/")) {
            try {
                table.port(Integer.parseInt(name.substring("port/".length())), now);
            } catch (NumberFormatException e) {
                log.warn("event=registry_value_ignored name={} error=\"not a port\"", name);
            }
        } else if (name.startsWith("host/")) {
            table.host(name.substring("host/".length()), now);
        }
    }

    /** Routes compare by what they say: AccessPolicy has no value equality of its own. */
    private static boolean same(RemoteRoute a, RemoteRoute b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.relayId().equals(b.relayId()) && Objects.equals(a.peer(), b.peer()) && a.kind().equals(b.kind())
                && a.access().sameRules(b.access());
    }
}
