package dev.homeport.registry.etcd;

import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.access.AddressRanges;
import dev.homeport.server.access.BasicCredentials;
import dev.homeport.server.cluster.ClaimOutcome;
import dev.homeport.server.cluster.ClaimRegistry.Claim;
import dev.homeport.server.cluster.RemoteRoute;
import dev.homeport.testsupport.etcd.EtcdCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.homeport.registry.etcd.Relays.await;
import static dev.homeport.registry.etcd.Relays.numbered;
import static dev.homeport.registry.etcd.Relays.owner;
import static dev.homeport.registry.etcd.Relays.request;
import static org.assertj.core.api.Assertions.assertThat;

/** Three relays' registries on one real etcd: the claim rules of one relay, cluster-wide, and the routes they make. */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EtcdClaimRegistryTest {
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final Duration LONG_GRACE = Duration.ofSeconds(30);
    private static EtcdCluster etcd;
    private Relays relays;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdCluster.start(1);
    }

    @AfterAll
    static void stopEtcd() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    @BeforeEach
    void newPrefix() {
        relays = new Relays(etcd.endpoints());
    }

    @AfterEach
    void closeRelays() {
        relays.close();
    }

    @Test
    void sixteenTokensRacingForOneNameThroughThreeRelaysLeaveExactlyOneWinnerWhomTheOthersSee() throws Exception {
        List<EtcdClaimRegistry> r = List.of(relays.start(1, TTL), relays.start(2, TTL), relays.start(3, TTL));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Claim>> claims = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int n = i;
                claims.add(pool.submit(() -> {
                    go.await();
                    return r.get(n % 3).claim(request("port/20001", "token-" + n, "s" + n, n % 3 + 1, n + 1, false, LONG_GRACE));
                }));
            }
            go.countDown();
            List<Claim> results = new ArrayList<>();
            for (Future<Claim> f : claims) {
                results.add(f.get(20, TimeUnit.SECONDS));
            }
            List<Claim> won = results.stream().filter(Claim::won).toList();
            assertThat(won).hasSize(1);
            assertThat(won.get(0).outcome()).isEqualTo(ClaimOutcome.WON);
            String winner = won.get(0).holder().principal();
            assertThat(results.stream().filter(c -> !c.won()))
                    .hasSize(15)
                    .allSatisfy(c -> {
                        assertThat(c.outcome()).isEqualTo(ClaimOutcome.TAKEN);
                        assertThat(c.holder().principal()).isEqualTo(winner);
                        assertThat(c.reason()).contains("port 20001 is bound by another token");
                    });
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSameClientGetsItsNameBackThroughAnotherRelayWithinTheGraceAndAnotherTokenOnlyAfterIt() throws Exception {
        Duration grace = Duration.ofSeconds(2);
        EtcdClaimRegistry r1 = relays.start(1, TTL);
        EtcdClaimRegistry r2 = relays.start(2, TTL);
        EtcdClaimRegistry r3 = relays.start(3, TTL);
        String name = "host/app.example.net";
        assertThat(r1.claim(request(name, "ann", "s1", 1, 7, false, grace)).outcome()).isEqualTo(ClaimOutcome.WON);

        r1.abandon(); // relay 1 dies; its session's member key stays until its lease lapses
        assertThat(r2.claim(request(name, "bob", "s9", 2, 9, false, grace)).outcome()).isEqualTo(ClaimOutcome.TAKEN);
        Claim moved = r2.claim(request(name, "ann", "s2", 2, 7, false, grace));
        assertThat(moved.outcome()).isEqualTo(ClaimOutcome.TOOK_OVER);
        assertThat(r3.claim(request(name, "ann", "s3", 3, 8, false, grace)).outcome())
                .as("another client of the same token while the moved one is live").isEqualTo(ClaimOutcome.HELD);

        r2.release(name, owner("ann", "s2", 2)); // its client is gone: held for ann for the grace
        Claim back = r3.claim(request(name, "ann", "s3", 3, 7, false, grace));
        assertThat(back.outcome()).isEqualTo(ClaimOutcome.RECLAIMED);

        r3.release(name, owner("ann", "s3", 3));
        long releasedAt = System.nanoTime();
        Claim bob = r2.claim(request(name, "bob", "s9", 2, 9, false, grace));
        assertThat(bob.outcome()).isEqualTo(ClaimOutcome.TAKEN);
        assertThat(bob.reason()).contains("reserved for another token during its reconnect grace");
        await(Duration.ofSeconds(6), "bob winning the name after ann's grace", () -> {
            try {
                return r2.claim(request(name, "bob", "s9", 2, 9, false, grace)).won();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        long heldMs = (System.nanoTime() - releasedAt) / 1_000_000;
        assertThat(heldMs).as("ms the name stayed reserved for ann").isGreaterThanOrEqualTo(grace.toMillis() - 300);
    }

    @Test
    void aRelayWhoseSessionIsTakenOverThroughAnotherRelayIsToldItLostTheName() throws Exception {
        EtcdClaimRegistry r1 = relays.start(1, TTL);
        EtcdClaimRegistry r2 = relays.start(2, TTL);
        List<String> lost = new CopyOnWriteArrayList<>();
        r1.onLoss((name, session, why) -> lost.add(name + " " + session));
        assertThat(r1.claim(request("port/20006", "ann", "s1", 1, 7, false, LONG_GRACE)).won()).isTrue();
        assertThat(r1.claim(request("port/20007", "ann", "s1", 1, 7, false, LONG_GRACE)).won()).isTrue();

        assertThat(r2.claim(request("port/20006", "ann", "s2", 2, 7, false, LONG_GRACE)).outcome()).isEqualTo(ClaimOutcome.TOOK_OVER);

        await(Duration.ofSeconds(1), "relay 1 hearing of the take-over", () -> lost.contains("port/20006 s1"));
        r1.release("port/20007", owner("ann", "s1", 1));
        Thread.sleep(200);
        assertThat(lost).as("a name the relay released itself is no loss").containsExactly("port/20006 s1");
        await(Duration.ofSeconds(1), "relay 1 routing the name to relay 2", () -> r1.routes().forPort(20006) != null);
    }

    /**
     * The bind storm's lost name (docs/benchmarks.md): the client gave up its session on relay 2 and bound the port again
     * through relay 3; relay 2 then handled the given-up session's late BIND, and its end.
     */
    @Test
    void aLateClaimOfAnOlderSessionOfTheClientLeavesTheNameWithTheNewerOneAndItsEndRemovesNothing() throws Exception {
        EtcdClaimRegistry r1 = relays.start(1, TTL);
        EtcdClaimRegistry r2 = relays.start(2, TTL);
        EtcdClaimRegistry r3 = relays.start(3, TTL);
        List<String> lost = new CopyOnWriteArrayList<>();
        r3.onLoss((name, session, why) -> lost.add(name + " " + session));
        String name = "port/20010";
        assertThat(r2.claim(numbered(name, "ann", "a", 2, 7, 1, LONG_GRACE)).outcome()).isEqualTo(ClaimOutcome.WON);
        assertThat(r3.claim(numbered(name, "ann", "b", 3, 7, 2, LONG_GRACE)).outcome())
                .as("the client's second session, through relay 3").isEqualTo(ClaimOutcome.TOOK_OVER);
        await(Duration.ofSeconds(1), "relay 1 routing to relay 3",
                () -> r1.routes().forPort(20010) != null && r1.routes().forPort(20010).relayId().equals("r3"));

        Claim late = r2.claim(numbered(name, "ann", "a", 2, 7, 1, LONG_GRACE)); // session a's BIND, handled late
        r2.release(name, owner("ann", "a", 2)); // session a ends on relay 2

        Claim other = r1.claim(numbered(name, "ann", "z", 1, 8, 1, LONG_GRACE));
        assertThat(other.outcome()).as("another client of the token, after session a's end").isEqualTo(ClaimOutcome.HELD);
        assertThat(other.holder().session()).as("the session serving the name").isEqualTo("b");
        assertThat(other.holder().relayId()).isEqualTo("r3");
        Thread.sleep(300); // any watch event of the late claim or the release reaches relay 1 and 3 by now
        assertThat(r1.routes().forPort(20010)).as("relay 1's route").isNotNull()
                .satisfies(route -> assertThat(route.relayId()).isEqualTo("r3"));
        assertThat(lost).as("relay 3's session keeps the name").isEmpty();
        assertThat(late.outcome()).isEqualTo(ClaimOutcome.SUPERSEDED);
        assertThat(late.holder().session()).isEqualTo("b");
    }

    /**
     * RelayClusterTest's restarted client, slow to start: it reclaims its port through relay 2 late in the grace that relay
     * 1 began when the client's first process ended. The claim's lease then has less than a renewal period left.
     */
    @Test
    void aNameReclaimedLateInItsGraceThroughAnotherRelayDoesNotLapseUnderItsNewSession() throws Exception {
        Duration grace = Duration.ofSeconds(3);
        EtcdClaimRegistry r1 = relays.start(1, TTL);
        EtcdClaimRegistry r2 = relays.start(2, TTL);
        List<String> lost = new CopyOnWriteArrayList<>();
        r2.onLoss((name, session, why) -> lost.add(name + " " + session + " " + why));
        String name = "port/20011";
        assertThat(r1.claim(request(name, "ann", "s1", 1, 7, false, grace)).outcome()).isEqualTo(ClaimOutcome.WON);
        r1.release(name, owner("ann", "s1", 1)); // the lease now runs out one grace from here unless renewed
        Thread.sleep(2_400);
        assertThat(r2.claim(request(name, "ann", "s2", 2, 8, false, grace)).outcome()).isEqualTo(ClaimOutcome.RECLAIMED);

        Thread.sleep(grace.toMillis()); // past the end of the grace relay 1 began
        Claim bob = r1.claim(request(name, "bob", "s9", 1, 9, false, grace));
        assertThat(lost).as("relay 2's session keeps the name").isEmpty();
        assertThat(bob.outcome()).as("another token, after the old grace").isEqualTo(ClaimOutcome.TAKEN);
        assertThat(bob.reason()).contains("bound by another token");
    }

    @Test
    void aRelayWhoseLeaseEtcdDroppedWritesItselfAndItsMembersBackUnderANewOne() throws Exception {
        EtcdClaimRegistry r1 = relays.start(1, Duration.ofSeconds(2));
        EtcdClaimRegistry r2 = relays.start(2, TTL);
        List<String> lost = new CopyOnWriteArrayList<>();
        r1.onLoss((name, session, why) -> lost.add(name + " " + session));
        assertThat(r1.claim(request("port/20008", "ann", "s1", 1, 7, false, LONG_GRACE)).won()).isTrue();
        await(Duration.ofSeconds(1), "relay 2 routing to relay 1", () -> r2.routes().forPort(20008) != null);

        try (Client admin = Client.builder().endpoints(etcd.endpoints().toArray(URI[]::new)).build()) {
            ByteSequence relayKey = ByteSequence.from(relays.prefix() + "relays/r1", StandardCharsets.UTF_8);
            long lease = admin.getKVClient().get(relayKey).get(5, TimeUnit.SECONDS).getKvs().get(0).getLease();
            admin.getLeaseClient().revoke(lease).get(5, TimeUnit.SECONDS); // as etcd does when a partition outlasts the TTL
            await(Duration.ofSeconds(1), "relay 2 forgetting relay 1", () -> r2.routes().forPort(20008) == null);

            long backMs = await(Duration.ofSeconds(3), "relay 1 back with its member", () -> r2.routes().forPort(20008) != null);
            System.out.println("relay 1 re-registered with its members after ms=" + backMs);
            long newLease = admin.getKVClient().get(relayKey).get(5, TimeUnit.SECONDS).getKvs().get(0).getLease();
            assertThat(newLease).isNotEqualTo(lease);
        }
        Claim other = r2.claim(request("port/20008", "ann", "s2", 2, 8, false, LONG_GRACE));
        assertThat(other.outcome()).as("relay 1's session serves it again").isEqualTo(ClaimOutcome.HELD);
        assertThat(other.holder().relayId()).isEqualTo("r1");
        assertThat(lost).as("a lapse this relay recovered from is no loss").isEmpty();
        assertThat(r1.health()).isEqualTo(dev.homeport.server.cluster.ClaimRegistry.Health.OK);
    }

    @Test
    void aRouteClaimedOnRelayTwoAppearsOnRelaysOneAndThreeWithinASecondAndGoesWhenReleased() throws Exception {
        EtcdClaimRegistry r1 = relays.start(1, TTL);
        EtcdClaimRegistry r2 = relays.start(2, TTL);
        EtcdClaimRegistry r3 = relays.start(3, TTL);
        AccessPolicy rules = new AccessPolicy(true, BasicCredentials.parse("ann:pw"), AddressRanges.parse("10.0.0.0/8", "allow"));

        assertThat(r2.claim(request("port/20002", "ann", "s1", 2, 1, false, LONG_GRACE)).won()).isTrue();
        assertThat(r2.claim(request("host/app.example.net", "ann", "s1", 2, 1, false, LONG_GRACE, rules)).won()).isTrue();

        for (EtcdClaimRegistry other : List.of(r1, r3)) {
            long ms = await(Duration.ofSeconds(1), "the routes on another relay",
                    () -> other.routes().forPort(20002) != null && other.routes().forHost("App.Example.net") != null);
            System.out.println("routes visible on another relay after ms=" + ms);
            RemoteRoute port = other.routes().forPort(20002);
            assertThat(port.relayId()).isEqualTo("r2");
            assertThat(port.peer()).isEqualTo(Relays.peer(2));
            assertThat(port.kind()).isEqualTo("tcp");
            RemoteRoute host = other.routes().forHost("app.example.net");
            assertThat(host.kind()).isEqualTo("http");
            assertThat(host.access().sameRules(rules)).isTrue();
            assertThat(other.routes().ports()).containsExactly(20002);
        }
        assertThat(r2.routes().forPort(20002)).as("a relay never routes its own names to a peer").isNull();

        r2.release("port/20002", owner("ann", "s1", 2));
        await(Duration.ofSeconds(1), "the released route going", () -> r1.routes().forPort(20002) == null && r3.routes().forPort(20002) == null);
        assertThat(r1.routes().forHost("app.example.net")).isNotNull();
    }

    @Test
    void aRelayWhoseRegistrationLapsesOrThatLeavesHasItsRoutesForgottenByTheOthers() throws Exception {
        Duration shortTtl = Duration.ofSeconds(2);
        EtcdClaimRegistry r1 = relays.start(1, TTL);
        EtcdClaimRegistry r2 = relays.start(2, shortTtl);
        EtcdClaimRegistry r3 = relays.start(3, TTL);
        assertThat(r2.claim(request("port/20003", "ann", "s1", 2, 1, false, LONG_GRACE)).won()).isTrue();
        assertThat(r3.claim(request("port/20004", "bob", "s1", 3, 1, false, LONG_GRACE)).won()).isTrue();
        await(Duration.ofSeconds(1), "both routes on relay 1", () -> r1.routes().forPort(20003) != null && r1.routes().forPort(20004) != null);

        r2.abandon(); // its etcd client gone without a word, as a crash
        long lapsedMs = await(Duration.ofSeconds(5), "relay 2's route forgotten after its lease lapsed", () -> r1.routes().forPort(20003) == null);
        System.out.println("crashed relay's routes forgotten after ms=" + lapsedMs);
        assertThat(r3.routes().forPort(20003)).isNull();

        r3.close(); // a clean leave revokes the lease: forgotten at once
        await(Duration.ofSeconds(1), "relay 3's route forgotten after it left", () -> r1.routes().forPort(20004) == null);
    }

    @Test
    void twoPoolClientsOfOneTokenOnTwoRelaysBothHoldTheNameAndWhenOneLeavesTheOtherStillDoes() throws Exception {
        EtcdClaimRegistry r1 = relays.start(1, TTL);
        EtcdClaimRegistry r2 = relays.start(2, TTL);
        EtcdClaimRegistry r3 = relays.start(3, TTL);
        String name = "port/20005";
        assertThat(r1.claim(request(name, "ann", "s1", 1, 1, true, LONG_GRACE)).outcome()).isEqualTo(ClaimOutcome.WON);
        assertThat(r2.claim(request(name, "ann", "s2", 2, 2, true, LONG_GRACE)).outcome()).isEqualTo(ClaimOutcome.JOINED_POOL);
        assertThat(r3.claim(request(name, "ann", "s3", 3, 3, false, LONG_GRACE)).outcome())
                .as("a client without --pool").isEqualTo(ClaimOutcome.HELD);
        AccessPolicy other = new AccessPolicy(true, null, AddressRanges.NONE);
        assertThat(r3.claim(request(name, "ann", "s3", 3, 3, true, LONG_GRACE, other)).outcome()).isEqualTo(ClaimOutcome.RULES_DIFFER);
        await(Duration.ofSeconds(1), "relay 3 routing to the pool's lowest relay",
                () -> r3.routes().forPort(20005) != null && r3.routes().forPort(20005).relayId().equals("r1"));

        r1.release(name, owner("ann", "s1", 1));
        assertThat(r3.claim(request(name, "bob", "s9", 3, 9, false, LONG_GRACE)).outcome()).isEqualTo(ClaimOutcome.TAKEN);
        assertThat(r3.claim(request(name, "ann", "s4", 3, 4, false, LONG_GRACE)).outcome())
                .as("the remaining pool member still serves it").isEqualTo(ClaimOutcome.HELD);
        await(Duration.ofSeconds(1), "relays 1 and 3 routing to the remaining member on relay 2",
                () -> r3.routes().forPort(20005) != null && r3.routes().forPort(20005).relayId().equals("r2")
                        && r1.routes().forPort(20005) != null && r1.routes().forPort(20005).relayId().equals("r2"));
    }
}
