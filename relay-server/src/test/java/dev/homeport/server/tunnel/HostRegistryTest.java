package dev.homeport.server.tunnel;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.admission.PerTokenCount;
import dev.homeport.server.auth.TokenRights;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Host names a client did not name (issue 14): the token's reserved name (tokens file, reserve-host=),
 * which no other token may bind, or else a name the relay makes up under its domain; and the same
 * claim rules as for ports (BIND_HELD for a second client of the token, pools).
 */
class HostRegistryTest {
    private static final TokenRights WILDCARD = new TokenRights(null, List.of("*.example.com"));
    private HostRegistry hosts;

    private HostRegistry start(String domain, Map<String, String> reservedHosts) {
        hosts = new HostRegistry(domain, Duration.ofSeconds(30), new AtomicInteger(1), TunnelLifecycle.NONE,
                new PerTokenCount(16), 8);
        hosts.serveOn(8080);
        hosts.reservations(reservedHosts::get);
        return hosts;
    }

    @AfterEach
    void stop() {
        if (hosts != null) {
            hosts.close();
        }
    }

    @Test
    void aClientThatNamesNoHostGetsAFreshNameUnderTheDomainEachTime() {
        start("example.com", Map.of());
        Tunnel first = bind("alice", WILDCARD, Claimant.alone(Sessions.session("a")), "").tunnel();
        Tunnel second = bind("alice", WILDCARD, Claimant.alone(Sessions.session("b")), "").tunnel();
        assertThat(first.hostname()).matches("[a-z][a-z0-9]{9}\\.example\\.com");
        assertThat(second.hostname()).matches("[a-z][a-z0-9]{9}\\.example\\.com").isNotEqualTo(first.hostname());
        assertThat(hosts.publicUrl(first)).isEqualTo("http://" + first.hostname() + ":8080");
    }

    @Test
    void aTokenWithAReservedHostGetsItWhenItNamesNoneAndMayBindItWithoutAHostRight() {
        start("example.com", Map.of("ipad.example.com", "ipad"));
        TokenRights ipad = new TokenRights(null, List.of(), 0, "ipad.example.com");
        assertThat(bind("ipad", ipad, new Claimant(Sessions.session("a"), 1, false), "").tunnel().hostname())
                .isEqualTo("ipad.example.com");
    }

    @Test
    void aReservedHostIsRefusedToEveryOtherTokenEvenWhileItsOwnerIsAway() {
        start("example.com", Map.of("ipad.example.com", "ipad"));
        BindOutcome thief = bind("alice", WILDCARD, Claimant.alone(Sessions.session("t")), "ipad");
        assertThat(thief.refusal()).isEqualTo(ErrorCode.BIND_UNAVAILABLE);
        assertThat(thief.message()).isEqualTo("host ipad.example.com is reserved for token ipad (tokens file, reserve-host=)");
    }

    @Test
    void aSecondClientOfTheTokenGetsBindHeldForTheReservedHost() {
        start("example.com", Map.of("ipad.example.com", "ipad"));
        TokenRights ipad = new TokenRights(null, List.of(), 0, "ipad.example.com");
        bind("ipad", ipad, new Claimant(Sessions.session("first"), 1, false), "");
        BindOutcome second = bind("ipad", ipad, new Claimant(Sessions.session("second"), 2, false), "");
        assertThat(second.refusal()).isEqualTo(ErrorCode.BIND_HELD);
        assertThat(second.message()).startsWith("host ipad.example.com is held by another client of token ipad (session first)");
    }

    @Test
    void withoutADomainOrAHostRightForMadeUpNamesTheClientIsToldToNameOne() {
        start("", Map.of());
        BindOutcome noDomain = bind("alice", TokenRights.ALL, Claimant.alone(Sessions.session("a")), "");
        assertThat(noDomain.refusal()).isEqualTo(ErrorCode.BIND_DENIED);
        assertThat(noDomain.message()).contains("no --domain", "--hostname");
        hosts.close();

        start("example.com", Map.of());
        BindOutcome named = bind("alice", new TokenRights(null, List.of("lab.example.com")), Claimant.alone(Sessions.session("b")), "");
        assertThat(named.refusal()).isEqualTo(ErrorCode.BIND_DENIED);
        assertThat(named.message()).contains("may bind only the host names [lab.example.com]", "--hostname");
    }

    @Test
    void poolClientsServeOneHostInTurn() {
        start("example.com", Map.of());
        var a = Sessions.session("a");
        var b = Sessions.session("b");
        Tunnel pool = bind("alice", WILDCARD, new Claimant(a, 1, true), "api").tunnel();
        assertThat(bind("alice", WILDCARD, new Claimant(b, 2, true), "api").tunnel()).isSameAs(pool);
        assertThat(List.of(pool.nextSession(), pool.nextSession(), pool.nextSession())).containsExactly(a, b, a);
    }

    private BindOutcome bind(String principal, TokenRights rights, Claimant who, String host) {
        return hosts.bind(who, principal, rights, host, "t", false, AccessPolicy.OPEN).join();
    }
}
