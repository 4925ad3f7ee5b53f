package dev.homeport.server.tunnel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * What the cluster registry tells a relay about a name it holds locally, the same for ports and host
 * names: another relay serves it now (superseded), or one session lost it (taken over elsewhere, or
 * its claim lapsed). Runs on the registry's thread; the caller then expires a tunnel left with no member.
 */
final class ClusterMoves {
    private static final Logger log = LoggerFactory.getLogger(ClusterMoves.class);

    private ClusterMoves() {
    }

    /**
     * Whether {@code t} gives way to another relay: a name held here only for a client that left, or
     * served here alone (not a pool), by a session the cluster has since given it to elsewhere.
     * If so, its members and its reservation are dropped and the caller expires it.
     */
    static boolean supersede(Tunnel t) {
        if (t.session() != null && t.pool()) {
            return false; // a pool may have members on several relays at once
        }
        log.info("event=tunnel_superseded {} reason=\"served by another relay of the cluster\"", t);
        if (t.expiry != null) {
            t.expiry.cancel(false);
        }
        t.members(List.of());
        return true;
    }

    /**
     * Session {@code sessionId} no longer serves {@code t}. Returns whether no member is left, its
     * reservation cancelled: the name is another's now, the caller expires it at once.
     */
    static boolean lose(Tunnel t, String sessionId, String why) {
        List<Tunnel.Member> now = t.members().stream().filter(m -> !m.session().id().equals(sessionId)).toList();
        if (now.size() == t.members().size()) {
            return false; // already replaced here (a take-over on this relay)
        }
        t.members(now);
        log.info("event=tunnel_lost {} session={} reason=\"{}\"", t, sessionId, why);
        if (!now.isEmpty()) {
            return false;
        }
        if (t.expiry != null) {
            t.expiry.cancel(false);
        }
        return true;
    }
}
