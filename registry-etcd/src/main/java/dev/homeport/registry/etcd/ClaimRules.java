package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClaimOutcome;
import dev.homeport.server.cluster.ClaimRegistry.Owner;
import dev.homeport.server.cluster.ClaimRequest;
import dev.homeport.server.cluster.AccessPolicyCodec;

import java.util.List;

/**
 * SameTokenClaim's rules over the cluster's state of one name, as read in one snapshot: who may have
 * it, and what to write so that they do. Pure, so the rules are tested without etcd; the registry
 * commits the decision in one transaction that fails if the claim changed since the snapshot.
 */
final class ClaimRules {

    /**
     * @param outcome  how the claim ends
     * @param holder   who holds the name afterwards (the caller when it won)
     * @param reason   the refusal for the client, empty when won
     * @param claim    the claim value to write when won, else {@code null}
     * @param replaced the members the caller's session replaces (same instance), to delete
     */
    record Decision(ClaimOutcome outcome, Owner holder, String reason, ClaimValue claim, List<MemberValue> replaced) {
    }

    private ClaimRules() {
    }

    /**
     * @param current the claim as read, or {@code null} when the name is free (its claim lapsed)
     * @param members the members read under the name; ignored when {@code current} is null (left over from a lapsed claim)
     */
    static Decision decide(ClaimRequest req, ClaimValue current, List<MemberValue> members) {
        Owner me = req.owner();
        ClaimValue mine = ClaimValue.of(me.principal(), req.kind(), req.pool(), req.access());
        if (current == null) {
            return won(ClaimOutcome.WON, me, mine, List.of());
        }
        String what = req.name().replace('/', ' ');
        if (!current.principal().equals(me.principal())) {
            Owner holder = holder(current, members);
            return refused(ClaimOutcome.TAKEN, holder, what + " is " + (members.isEmpty()
                    ? "reserved for another token during its reconnect grace" : "bound by another token"));
        }
        for (MemberValue m : members) {
            if (m.relayId().equals(me.relayId()) && m.session().equals(me.session())) {
                return refused(ClaimOutcome.SAME_SESSION, me, what + " is already bound by this session");
            }
        }
        if (members.isEmpty()) {
            // Held for its token while no client served it: the first of the token to come back takes it, as it asks.
            return won(ClaimOutcome.RECLAIMED, me, mine, List.of());
        }
        if (req.instance() != 0) {
            List<MemberValue> same = members.stream().filter(m -> m.instance() == req.instance()).toList();
            for (MemberValue m : same) {
                if (!ClaimRequest.newerSession(req.connection(), m.connection())) {
                    // An older session of the same client, whose BIND reached its relay late: the client gave that
                    // session up and bound the name again on this newer one. Taking it back would leave the name to a
                    // session whose client is gone, and its release would then leave no member, no route, anywhere.
                    return refused(ClaimOutcome.SUPERSEDED, new Owner(current.principal(), m.session(), m.relayId()),
                            what + " is served by a newer session of this client (" + m.session() + " on relay "
                                    + m.relayId() + "): this session was given up");
                }
            }
            if (!same.isEmpty()) {
                // The same client on a new session, on this relay or another: its old session is dead but not yet noticed.
                ClaimValue kept = members.size() == same.size() ? mine : current;
                return won(ClaimOutcome.TOOK_OVER, me, kept, same);
            }
        }
        Owner holder = holder(current, members);
        String token = "token " + current.principal();
        if (!current.pool() && !req.pool()) {
            return refused(ClaimOutcome.HELD, holder, what + " is held by another client of " + token + " (session "
                    + holder.session() + " on relay " + holder.relayId() + "); stop that client first, or start both with --pool"
                    + " to share it (a client that vanished without closing its connection is dropped after the relay's"
                    + " --keepalive-timeout)");
        }
        if (!current.pool()) {
            return refused(ClaimOutcome.HELD, holder, what + " is held by another client of " + token
                    + " started without --pool: a --pool client cannot join it");
        }
        if (!req.pool()) {
            return refused(ClaimOutcome.HELD, holder, what + " is served by a pool of " + members.size() + " clients of "
                    + token + " (--pool): a client without --pool cannot join it");
        }
        if (members.size() >= req.maxPoolMembers()) {
            return refused(ClaimOutcome.POOL_FULL, holder, "the pool of " + what + " already has " + members.size()
                    + " members, the most in the cluster (--max-pool-members)");
        }
        if (!current.access().equals(AccessPolicyCodec.encode(req.access())) || !current.kind().equals(req.kind())) {
            return refused(ClaimOutcome.RULES_DIFFER, holder, "the pool of " + what + " has the rules "
                    + current.accessPolicy() + " and kind " + current.kind()
                    + ": every member must ask for the same kind, https-only, basic auth and allow list");
        }
        return won(ClaimOutcome.JOINED_POOL, me, current, List.of());
    }

    private static Owner holder(ClaimValue current, List<MemberValue> members) {
        return members.isEmpty() ? new Owner(current.principal(), "", "")
                : new Owner(current.principal(), members.get(0).session(), members.get(0).relayId());
    }

    private static Decision won(ClaimOutcome outcome, Owner me, ClaimValue claim, List<MemberValue> replaced) {
        return new Decision(outcome, me, "", claim, replaced);
    }

    private static Decision refused(ClaimOutcome outcome, Owner holder, String reason) {
        return new Decision(outcome, holder, reason, null, List.of());
    }
}
