package dev.homeport.server.tunnel;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.cluster.ClaimRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A BIND for a port or host name its own token already holds, in either registry. The claim stays
 * with the client that serves it: another client of the token is refused with BIND_HELD, so two
 * clients never take a name from each other in turn. It moves only when no client serves it (the
 * reconnect grace), or when the client that serves it comes back on a newer session before its old one
 * was seen to end (same instance, higher connection number). Clients that all ask for a pool serve it together, up to
 * {@code --max-pool-members}. Runs on the registry's thread.
 */
final class SameTokenClaim {
    private static final Logger log = LoggerFactory.getLogger(SameTokenClaim.class);

    private SameTokenClaim() {
    }

    /**
     * @param what how the refusal names the port or host ("port 40000", "host app.example.com")
     * @return the tunnel, now served by {@code who} too, or a refusal
     */
    static BindOutcome claim(Tunnel existing, Claimant who, AccessPolicy access, String what, int maxPoolMembers) {
        List<Tunnel.Member> members = existing.members();
        for (Tunnel.Member m : members) {
            if (m.session() == who.session()) {
                return BindOutcome.refused(ErrorCode.BIND_UNAVAILABLE, what + " is already bound by this session");
            }
        }
        if (members.isEmpty()) {
            // Held for its token while no client served it: the first of the token to come back takes it, as it asks.
            existing.cancelExpiry();
            existing.pool(who.pool());
            existing.access(access);
            existing.members(List.of(who.member()));
            log.info("event=tunnel_reclaimed {} session={} previous_session=-", existing, who.session().id());
            return BindOutcome.granted(existing);
        }
        int same = sameInstance(members, who.instance());
        if (same >= 0 && !ClaimRequest.newerSession(who.connection(), members.get(same).connection())) {
            // An older session of the same client: its BIND came late, after the client had given the session up
            // and bound the name again on a newer one. Taking the name back would leave it to a dead session.
            log.info("event=stale_session_refused {} session={} connection={} serving_session={} serving_connection={}",
                    existing, who.session().id(), who.connection(), members.get(same).session().id(),
                    members.get(same).connection());
            who.session().close(ErrorCode.SHUTDOWN, what + " is served by a newer session of this client");
            return BindOutcome.refused(ErrorCode.SHUTDOWN, what + " is served by a newer session of this client");
        }
        if (same >= 0) {
            // The same client on a new session: its old one is dead but not yet noticed (keep-alive).
            List<Tunnel.Member> now = new ArrayList<>(members);
            Tunnel.Member previous = now.set(same, who.member());
            if (now.size() == 1) {
                existing.access(access);
            }
            existing.members(now);
            log.info("event=tunnel_reclaimed {} session={} previous_session={}", existing, who.session().id(),
                    previous.session().id());
            return BindOutcome.granted(existing);
        }
        String token = "token " + existing.principal();
        if (!existing.pool() && !who.pool()) {
            return BindOutcome.refused(ErrorCode.BIND_HELD, what + " is held by another client of " + token + " (session "
                    + members.get(0).session().id() + "); stop that client first, or start both with --pool to share it "
                    + "(a client that vanished without closing its connection is dropped after the relay's --keepalive-timeout)");
        }
        if (!existing.pool()) {
            return BindOutcome.refused(ErrorCode.BIND_HELD, what + " is held by another client of " + token
                    + " started without --pool: a --pool client cannot join it");
        }
        if (!who.pool()) {
            return BindOutcome.refused(ErrorCode.BIND_HELD, what + " is served by a pool of " + members.size()
                    + " clients of " + token + " (--pool): a client without --pool cannot join it");
        }
        if (members.size() >= maxPoolMembers) {
            return BindOutcome.refused(ErrorCode.BIND_DENIED, "the pool of " + what + " already has " + members.size()
                    + " members, the most on this relay (--max-pool-members)");
        }
        if (!existing.access().sameRules(access)) {
            return BindOutcome.refused(ErrorCode.BIND_DENIED, "the pool of " + what + " has the rules " + existing.access()
                    + ": every member must ask for the same https-only, basic auth and allow list");
        }
        List<Tunnel.Member> now = new ArrayList<>(members);
        now.add(who.member());
        existing.members(now);
        log.info("event=pool_joined {} session={}", existing, who.session().id());
        return BindOutcome.granted(existing);
    }

    private static int sameInstance(List<Tunnel.Member> members, long instance) {
        if (instance == 0) {
            return -1; // a client that names no instance is never taken for another
        }
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).instance() == instance) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code session} ended: it no longer serves the tunnel.
     *
     * @return whether it served it and no client does now (the caller then holds it for the token for the reconnect grace)
     */
    static boolean leave(Tunnel t, MuxSession session) {
        List<Tunnel.Member> members = t.members();
        List<Tunnel.Member> now = members.stream().filter(m -> m.session() != session).toList();
        if (now.size() == members.size()) {
            return false;
        }
        t.members(now);
        if (!now.isEmpty()) {
            log.info("event=pool_left {} session={}", t, session.id());
        }
        return now.isEmpty();
    }
}
