package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClaimRegistry.Health;
import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.homeport.registry.etcd.Relays.await;
import static dev.homeport.registry.etcd.Relays.request;
import static org.assertj.core.api.Assertions.assertThat;

/** The registry's health follows the relay lease's renewals: stale once etcd is gone longer than the TTL, ok when it is back. */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class EtcdHealthTest {
    private static final Duration TTL = Duration.ofSeconds(2);

    @Test
    void healthIsStaleWhenEtcdIsGoneForLongerThanTheTtlAndOkAgainWhenItIsBack() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1); Relays relays = new Relays(etcd.endpoints())) {
            EtcdClaimRegistry r1 = relays.start(1, TTL);
            EtcdClaimRegistry r2 = relays.start(2, TTL);
            assertThat(r1.health()).isEqualTo(Health.OK);
            assertThat(r1.claim(request("port/20010", "ann", "s1", 1, 1, false, Duration.ofSeconds(30))).won()).isTrue();

            etcd.kill(0);
            long killedAt = System.nanoTime();
            Thread.sleep(TTL.toMillis() / 2);
            assertThat(r1.health()).as("within the TTL of the last renewal").isEqualTo(Health.OK);
            long staleMs = await(Duration.ofSeconds(5), "health going stale", () -> r1.health() == Health.STALE)
                    + TTL.toMillis() / 2;
            System.out.println("health stale after etcd was killed, ms=" + staleMs);
            assertThat((System.nanoTime() - killedAt) / 1_000_000).isGreaterThanOrEqualTo(TTL.toMillis() - TTL.toMillis() / 3);

            etcd.restart(0);
            long okMs = await(Duration.ofSeconds(15), "health ok again once etcd is back", () -> r1.health() == Health.OK);
            System.out.println("health ok after etcd came back, ms=" + okMs);
            assertThat(r1.claim(request("port/20010", "bob", "s2", 1, 2, false, Duration.ofSeconds(30))).holder().principal())
                    .as("the claim made before the outage").isEqualTo("ann");
            assertThat(r2.claim(request("port/20011", "bob", "s3", 2, 3, false, Duration.ofSeconds(30))).won()).isTrue();
            await(Duration.ofSeconds(3), "relay 1's watch, broken by the outage, seeing a claim made after it",
                    () -> r1.routes().forPort(20011) != null && r1.routes().forPort(20010) == null);
            assertThat(r2.routes().forPort(20010).relayId()).isEqualTo("r1");
        }
    }
}
