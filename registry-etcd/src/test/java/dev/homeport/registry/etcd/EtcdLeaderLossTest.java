package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClaimOutcome;
import dev.homeport.server.cluster.ClaimRegistry.Claim;
import dev.homeport.server.cluster.ClaimRegistry.Health;
import dev.homeport.server.cluster.RegistryUnavailableException;
import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.homeport.registry.etcd.Relays.await;
import static dev.homeport.registry.etcd.Relays.request;
import static org.assertj.core.api.Assertions.assertThat;

/** kill -9 of the etcd leader of three members: the claims stay with their owners and the registry goes on working. */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 45, unit = TimeUnit.SECONDS)
class EtcdLeaderLossTest {
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final int NAMES = 5;

    @Test
    void killingTheEtcdLeaderLosesNoClaimAndNewClaimsAndHealthRecover() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(3); Relays relays = new Relays(etcd.endpoints())) {
            etcd.awaitLeader(); // a member answers health before the first election is over; a lease needs a leader
            EtcdClaimRegistry r1 = relays.start(1, TTL);
            EtcdClaimRegistry r2 = relays.start(2, TTL);
            for (int i = 0; i < NAMES; i++) {
                assertThat(r1.claim(request("port/" + (20100 + i), "ann", "s1", 1, 1, false, GRACE)).won()).isTrue();
            }
            await(Duration.ofSeconds(1), "relay 2 seeing relay 1's routes", () -> r2.routes().ports().size() == NAMES);

            int leader = etcd.leader();
            etcd.kill(leader);
            long killedAt = System.nanoTime();
            etcd.awaitLeader();
            System.out.println("etcd leader m" + leader + " killed; new leader m" + etcd.leader() + " after ms="
                    + (System.nanoTime() - killedAt) / 1_000_000);

            Claim fresh = claimWhileTheClusterSettles(r2, request("port/20200", "bob", "s7", 2, 7, false, GRACE));
            assertThat(fresh.outcome()).isEqualTo(ClaimOutcome.WON);
            // Longer than the relay TTL and the grace would have been, had the leases not been kept alive across the change.
            Thread.sleep(GRACE.toMillis() + 1000);
            for (int i = 0; i < NAMES; i++) {
                Claim c = r2.claim(request("port/" + (20100 + i), "bob", "s7", 2, 7, false, GRACE));
                assertThat(c.outcome()).isEqualTo(ClaimOutcome.TAKEN);
                assertThat(c.holder().principal()).isEqualTo("ann");
                assertThat(c.holder().relayId()).as("held by a live session, not only reserved").isEqualTo("r1");
            }
            assertThat(r1.health()).isEqualTo(Health.OK);
            assertThat(r2.health()).isEqualTo(Health.OK);
            assertThat(r2.routes().ports()).hasSize(NAMES);
            assertThat(r1.routes().forPort(20200)).isNotNull();
        }
    }

    /** A call in flight to the dead leader fails; the next ones reach a living member. Bounded to 10 tries. */
    private static Claim claimWhileTheClusterSettles(EtcdClaimRegistry r, dev.homeport.server.cluster.ClaimRequest req) throws Exception {
        RegistryUnavailableException last = null;
        for (int i = 0; i < 10; i++) {
            try {
                return r.claim(req);
            } catch (RegistryUnavailableException e) {
                System.out.println("claim after the leader loss failed, retrying: " + e.getMessage());
                last = e;
                Thread.sleep(200);
            }
        }
        throw last;
    }
}
