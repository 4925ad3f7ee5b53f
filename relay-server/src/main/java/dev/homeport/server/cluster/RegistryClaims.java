package dev.homeport.server.cluster;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.tunnel.BindOutcome;
import dev.homeport.server.tunnel.Claimant;
import dev.homeport.server.tunnel.NameClaims;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * {@link NameClaims} in a cluster: each claim is one {@link ClaimRegistry#claim} transaction, and
 * its {@link ClaimOutcome} becomes the BIND answer one relay alone would give. A registry that cannot
 * be reached ends the client's session (GO_AWAY SHUTDOWN) rather than refusing the BIND: clients take a
 * refusal as final, while a lost session makes them connect again, to this relay or another.
 */
public final class RegistryClaims implements NameClaims {
    private static final Logger log = LoggerFactory.getLogger(RegistryClaims.class);

    private final ClaimRegistry registry;
    private final String relayId;
    private final Duration grace;
    private final int maxPoolMembers;
    private final RegistryMeters meters;

    public RegistryClaims(ClaimRegistry registry, String relayId, Duration grace, int maxPoolMembers, RegistryMeters meters) {
        this.registry = registry;
        this.relayId = relayId;
        this.grace = grace;
        this.maxPoolMembers = maxPoolMembers;
        this.meters = meters;
    }

    @Override
    public BindOutcome claim(String name, Claimant who, String principal, String kind, AccessPolicy access) {
        if (who.session().whenClosed().isDone()) {
            // A BIND that waited behind others while its session died: claiming now could take the name
            // back from the same client's live session on another relay (same instance).
            return BindOutcome.refused(ErrorCode.SHUTDOWN, "the session ended before its BIND was claimed");
        }
        ClaimRegistry.Owner owner = owner(who, principal);
        ClaimRequest request = new ClaimRequest(name, owner, who.instance(), who.connection(), who.pool(), kind, access, grace,
                maxPoolMembers);
        ClaimRegistry.Claim claim;
        long start = System.nanoTime();
        try {
            claim = registry.claim(request);
        } catch (RegistryUnavailableException e) {
            meters.operation("claim", false, System.nanoTime() - start);
            log.warn("event=registry_unavailable op=claim name={} session={} reason=\"{}\"", name, owner.session(), e.getMessage());
            who.session().close(ErrorCode.SHUTDOWN, "the cluster registry cannot be reached (" + e.getMessage()
                    + "): connect again, to this relay or another");
            return BindOutcome.refused(ErrorCode.SHUTDOWN, "the cluster registry cannot be reached");
        }
        meters.operation("claim", true, System.nanoTime() - start);
        meters.claimed(claim.outcome());
        if (claim.won()) {
            log.info("event=cluster_claim name={} outcome={} session={}", name, claim.outcome(), owner.session());
            return null;
        }
        ClaimRegistry.Owner holder = claim.holder();
        if (claim.outcome() == ClaimOutcome.SUPERSEDED) {
            // The client left this session for a newer one, which serves the name: the session is dead on the client's
            // side, so end it here too rather than let its other late BINDs claim anything.
            who.session().close(ErrorCode.SHUTDOWN, claim.reason());
        }
        log.info("event=cluster_claim name={} outcome={} session={} holder_relay={}", name, claim.outcome(), owner.session(),
                holder == null ? "-" : holder.relayId());
        return BindOutcome.refused(refusalCode(claim.outcome()), claim.reason());
    }

    @Override
    public void release(String name, Claimant who, String principal) {
        long start = System.nanoTime();
        try {
            registry.release(name, owner(who, principal));
            meters.operation("release", true, System.nanoTime() - start);
        } catch (RegistryUnavailableException e) {
            // The claim's lease lapses by itself after the grace: nothing is held for longer.
            meters.operation("release", false, System.nanoTime() - start);
            log.warn("event=registry_unavailable op=release name={} session={} reason=\"{}\"", name, who.session().id(),
                    e.getMessage());
        }
    }

    private ClaimRegistry.Owner owner(Claimant who, String principal) {
        return new ClaimRegistry.Owner(principal, who.session().id(), relayId);
    }

    /** The BIND_REFUSED code for each refusal, as one relay alone answers it (PROTOCOL.md, "Pools"). */
    static ErrorCode refusalCode(ClaimOutcome outcome) {
        return switch (outcome) {
            case HELD -> ErrorCode.BIND_HELD;
            case POOL_FULL, RULES_DIFFER -> ErrorCode.BIND_DENIED;
            case TAKEN, SAME_SESSION -> ErrorCode.BIND_UNAVAILABLE;
            case SUPERSEDED -> ErrorCode.SHUTDOWN;
            case WON, RECLAIMED, TOOK_OVER, JOINED_POOL -> throw new IllegalArgumentException(outcome + " is a grant");
        };
    }
}
