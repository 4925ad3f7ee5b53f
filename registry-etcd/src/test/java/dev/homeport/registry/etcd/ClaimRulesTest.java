package dev.homeport.registry.etcd;

import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.access.AddressRanges;
import dev.homeport.server.cluster.ClaimOutcome;
import dev.homeport.server.cluster.ClaimRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.homeport.registry.etcd.Relays.request;
import static org.assertj.core.api.Assertions.assertThat;

/** SameTokenClaim's rules, applied to one snapshot of a name's claim and members. */
class ClaimRulesTest {
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final String NAME = "port/20001";

    private static ClaimValue claim(String principal, boolean pool) {
        return ClaimValue.of(principal, "tcp", pool, AccessPolicy.OPEN);
    }

    private static ClaimRules.Decision decide(ClaimRequest req, ClaimValue current, MemberValue... members) {
        return ClaimRules.decide(req, current, List.of(members));
    }

    @Test
    void aFreeNameIsWonAndLeftOverMembersOfALapsedClaimDoNotCount() {
        ClaimRules.Decision d = decide(request(NAME, "ann", "s1", 1, 7, false, GRACE), null, new MemberValue("r2", "old", 3));
        assertThat(d.outcome()).isEqualTo(ClaimOutcome.WON);
        assertThat(d.claim().principal()).isEqualTo("ann");
        assertThat(d.replaced()).isEmpty();
    }

    @Test
    void aNameOfAnotherTokenIsTakenWhetherServedOrReservedForTheGrace() {
        ClaimRules.Decision served = decide(request(NAME, "bob", "s9", 1, 9, false, GRACE), claim("ann", false), new MemberValue("r2", "s1", 7));
        ClaimRules.Decision reserved = decide(request(NAME, "bob", "s9", 1, 9, false, GRACE), claim("ann", false));

        assertThat(served.outcome()).isEqualTo(ClaimOutcome.TAKEN);
        assertThat(served.holder().relayId()).isEqualTo("r2");
        assertThat(served.reason()).isEqualTo("port 20001 is bound by another token");
        assertThat(reserved.outcome()).isEqualTo(ClaimOutcome.TAKEN);
        assertThat(reserved.reason()).contains("reserved for another token during its reconnect grace");
        assertThat(served.claim()).isNull();
    }

    @Test
    void theTokenGetsItsReservedNameBackWithTheRulesItAsksForNow() {
        AccessPolicy httpsOnly = new AccessPolicy(true, null, AddressRanges.NONE);
        ClaimRules.Decision d = decide(request(NAME, "ann", "s2", 2, 8, true, GRACE, httpsOnly), claim("ann", false));
        assertThat(d.outcome()).isEqualTo(ClaimOutcome.RECLAIMED);
        assertThat(d.claim().pool()).isTrue();
        assertThat(d.claim().accessPolicy().httpsOnly()).isTrue();
    }

    @Test
    void theSameInstanceTakesOverItsOldSessionOnAnyRelayButInstanceZeroNever() {
        MemberValue old = new MemberValue("r1", "s1", 7);
        ClaimRules.Decision same = decide(request(NAME, "ann", "s2", 2, 7, false, GRACE), claim("ann", false), old);
        ClaimRules.Decision anonymous = decide(request(NAME, "ann", "s2", 2, 0, false, GRACE), claim("ann", false),
                new MemberValue("r1", "s1", 0));

        assertThat(same.outcome()).isEqualTo(ClaimOutcome.TOOK_OVER);
        assertThat(same.replaced()).containsExactly(old);
        assertThat(anonymous.outcome()).isEqualTo(ClaimOutcome.HELD);
    }

    @Test
    void onlyANewerSessionOfTheClientTakesOverAndANumberOfZeroOrdersNothing() {
        MemberValue second = new MemberValue("r3", "b", 7, 2);
        ClaimRules.Decision older = ClaimRules.decide(Relays.numbered(NAME, "ann", "a", 2, 7, 1, GRACE), claim("ann", false),
                List.of(second));
        ClaimRules.Decision newer = ClaimRules.decide(Relays.numbered(NAME, "ann", "c", 1, 7, 3, GRACE), claim("ann", false),
                List.of(second));
        ClaimRules.Decision unnumbered = ClaimRules.decide(Relays.numbered(NAME, "ann", "a", 2, 7, 0, GRACE), claim("ann", false),
                List.of(second));
        ClaimRules.Decision oldRelay = ClaimRules.decide(Relays.numbered(NAME, "ann", "a", 2, 7, 1, GRACE), claim("ann", false),
                List.of(new MemberValue("r3", "b", 7)));

        assertThat(older.outcome()).isEqualTo(ClaimOutcome.SUPERSEDED);
        assertThat(older.claim()).isNull();
        assertThat(older.holder().session()).isEqualTo("b");
        assertThat(older.reason()).isEqualTo("port 20001 is served by a newer session of this client (b on relay r3): "
                + "this session was given up");
        assertThat(newer.outcome()).isEqualTo(ClaimOutcome.TOOK_OVER);
        assertThat(newer.replaced()).containsExactly(second);
        assertThat(unnumbered.outcome()).as("a client of a release before the number").isEqualTo(ClaimOutcome.TOOK_OVER);
        assertThat(oldRelay.outcome()).as("a member written by a relay of a release before the number")
                .isEqualTo(ClaimOutcome.TOOK_OVER);
    }

    @Test
    void theSessionThatHoldsItAlreadyIsRefused() {
        ClaimRules.Decision d = decide(request(NAME, "ann", "s1", 1, 7, false, GRACE), claim("ann", false), new MemberValue("r1", "s1", 7));
        assertThat(d.outcome()).isEqualTo(ClaimOutcome.SAME_SESSION);
        assertThat(d.reason()).isEqualTo("port 20001 is already bound by this session");
    }

    @Test
    void anotherLiveClientOfTheTokenIsHeldUnlessBothAskForAPool() {
        MemberValue live = new MemberValue("r1", "s1", 7);
        assertThat(decide(request(NAME, "ann", "s2", 2, 8, false, GRACE), claim("ann", false), live).reason())
                .contains("held by another client of token ann (session s1 on relay r1)");
        assertThat(decide(request(NAME, "ann", "s2", 2, 8, true, GRACE), claim("ann", false), live).reason())
                .contains("started without --pool: a --pool client cannot join it");
        assertThat(decide(request(NAME, "ann", "s2", 2, 8, false, GRACE), claim("ann", true), live).reason())
                .contains("a client without --pool cannot join it");
        ClaimRules.Decision joined = decide(request(NAME, "ann", "s2", 2, 8, true, GRACE), claim("ann", true), live);
        assertThat(joined.outcome()).isEqualTo(ClaimOutcome.JOINED_POOL);
        assertThat(joined.claim()).isEqualTo(claim("ann", true));
    }

    @Test
    void aPoolIsLimitedInSizeAndHasOneSetOfRules() {
        MemberValue live = new MemberValue("r1", "s1", 7);
        ClaimRequest full = new ClaimRequest(NAME, Relays.owner("ann", "s2", 2), 8, true, "tcp", AccessPolicy.OPEN, GRACE, 1);
        assertThat(decide(full, claim("ann", true), live).outcome()).isEqualTo(ClaimOutcome.POOL_FULL);

        AccessPolicy allowList = new AccessPolicy(false, null, AddressRanges.parse("10.0.0.0/8", "allow"));
        ClaimRules.Decision other = decide(request(NAME, "ann", "s2", 2, 8, true, GRACE, allowList), claim("ann", true), live);
        assertThat(other.outcome()).isEqualTo(ClaimOutcome.RULES_DIFFER);
        assertThat(other.reason()).contains("every member must ask for the same");
    }
}
