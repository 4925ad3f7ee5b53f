package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.cluster.ClusterCertificates;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.homeport.registry.etcd.Relays.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ACME across relays on a real etcd: the order lock, and the answers and certificates every relay follows. */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdClusterCertificatesTest {
    private static final String HOST = "app.cluster.test";
    /** The lock's lease; etcd counts in whole seconds and the relays accept no less than 2. */
    private static final Duration LOCK_TTL = Duration.ofSeconds(2);
    private static final Duration WATCHED_WITHIN = Duration.ofSeconds(2);
    private static EtcdCluster etcd;
    private final List<ClusterCertificates> open = new ArrayList<>();
    private RegistryOptions options;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdCluster.start(1);
        etcd.awaitLeader();
    }

    @AfterAll
    static void stopEtcd() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    @BeforeEach
    void newPrefix() {
        options = RegistryOptions.of(etcd.endpoints()).withPrefix("/test-" + UUID.randomUUID() + "/")
                .withCallTimeout(Duration.ofSeconds(15));
    }

    @AfterEach
    void closeAll() {
        open.forEach(ClusterCertificates::close);
    }

    private ClusterCertificates relay(int n) throws Exception {
        ClusterCertificates c = ClaimRegistryProvider.find("etcd").openCertificates(options, "relay-" + n, LOCK_TTL);
        open.add(c);
        return c;
    }

    @Test
    void ofEightRelaysRacingForOneNamesOrderLockExactlyOneGetsItAndAnotherOnlyOnceItIsGivenUp() throws Exception {
        List<ClusterCertificates> relays = new ArrayList<>();
        for (int n = 1; n <= 8; n++) {
            relays.add(relay(n));
        }
        ExecutorService pool = Executors.newFixedThreadPool(relays.size());
        List<ClusterCertificates.OrderLock> won = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<ClusterCertificates.OrderLock>> tries = new ArrayList<>();
            for (ClusterCertificates r : relays) {
                tries.add(pool.submit(() -> {
                    go.await();
                    return r.tryLock(HOST);
                }));
            }
            go.countDown();
            for (Future<ClusterCertificates.OrderLock> t : tries) {
                ClusterCertificates.OrderLock lock = t.get(20, TimeUnit.SECONDS);
                if (lock != null) {
                    won.add(lock);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(won).as("relays that got the order lock").hasSize(1);
        assertThat(relays.get(0).tryLock("other.cluster.test")).as("another name is locked apart").isNotNull();
        for (ClusterCertificates r : relays) {
            assertThat(r.tryLock(HOST)).as("while it is held").isNull();
        }

        won.get(0).close();
        ClusterCertificates.OrderLock next = relays.get(7).tryLock(HOST);
        assertThat(next).as("once given up").isNotNull();
        next.close();
    }

    @Test
    void theLockOfARelayThatVanishedWithoutGivingItUpLapsesAfterItsTtl() throws Exception {
        ClusterCertificates dying = relay(1);
        ClusterCertificates other = relay(2);
        assertThat(dying.tryLock(HOST)).isNotNull();
        dying.close(); // its connection ends and nobody renews the lease: as a kill -9 does
        assertThat(other.tryLock(HOST)).as("just after").isNull();

        long took = await(LOCK_TTL.plusSeconds(3), "the lapsed lock taken by the other relay", () -> {
            try {
                ClusterCertificates.OrderLock lock = other.tryLock(HOST);
                if (lock != null) {
                    lock.close();
                    return true;
                }
                return false;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        System.out.printf("order lock of a vanished relay taken over after %d ms (lease TTL %d s)%n", took, LOCK_TTL.toSeconds());
    }

    @Test
    void answersPublishedThroughTheLockReachAnotherRelayAndLeaveWithItWhileTheCertificateStays() throws Exception {
        ClusterCertificates ordering = relay(1);
        Recorder seen = new Recorder();
        relay(2).watch(seen);
        ClusterCertificates.OrderLock lock = ordering.tryLock(HOST);

        lock.publishHttpAnswer("tok_EN-1", "tok_EN-1.thumbprint");
        lock.publishAlpnProof("ALPN PEM");
        await(WATCHED_WITHIN, "the answers on the other relay", () -> "tok_EN-1.thumbprint".equals(seen.get("http " + HOST + " tok_EN-1"))
                && "ALPN PEM".equals(seen.get("alpn " + HOST)));
        lock.withdrawAnswers();
        await(WATCHED_WITHIN, "the answers withdrawn", () -> seen.withdrawn("http " + HOST + " tok_EN-1") && seen.withdrawn("alpn " + HOST));

        lock.publishHttpAnswer("second", "second.thumbprint");
        lock.publishCertificate("CHAIN PEM");
        await(WATCHED_WITHIN, "the certificate on the other relay", () -> "CHAIN PEM".equals(seen.get("cert " + HOST)));
        lock.close();
        await(WATCHED_WITHIN, "the answer gone with the lock", () -> seen.withdrawn("http " + HOST + " second"));

        Recorder late = new Recorder();
        relay(3).watch(late);
        assertThat(late.get("cert " + HOST)).as("read at the start of a relay that joined later").isEqualTo("CHAIN PEM");
        assertThat(late.events).doesNotContainKeys("http " + HOST + " second", "alpn " + HOST);
    }

    @Test
    void valuesOverTheLimitsAreRefusedBeforeTheyReachEtcd() throws Exception {
        ClusterCertificates.OrderLock lock = relay(1).tryLock(HOST);
        assertThatThrownBy(() -> lock.publishCertificate("x".repeat(ClusterCertificates.MAX_CERTIFICATE_CHARS + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certificate");
        assertThatThrownBy(() -> lock.publishAlpnProof("x".repeat(ClusterCertificates.MAX_ALPN_PROOF_CHARS + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> lock.publishHttpAnswer("a/b", "answer")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> lock.publishHttpAnswer("token", "x".repeat(ClusterCertificates.MAX_HTTP_ANSWER_CHARS + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        lock.close();
    }

    /** What a relay's listener was told, by "kind host [token]": the last value, or {@link #WITHDRAWN}. */
    private static final class Recorder implements ClusterCertificates.Listener {
        static final String WITHDRAWN = "(withdrawn)";
        final Map<String, String> events = new ConcurrentHashMap<>();

        @Override
        public void httpAnswer(String host, String token, String keyAuthorization) {
            events.put("http " + host + " " + token, Objects.requireNonNullElse(keyAuthorization, WITHDRAWN));
        }

        @Override
        public void alpnProof(String host, String pem) {
            events.put("alpn " + host, Objects.requireNonNullElse(pem, WITHDRAWN));
        }

        @Override
        public void certificate(String host, String pem) {
            events.put("cert " + host, pem);
        }

        String get(String key) {
            return events.get(key);
        }

        boolean withdrawn(String key) {
            return WITHDRAWN.equals(events.get(key));
        }
    }
}
