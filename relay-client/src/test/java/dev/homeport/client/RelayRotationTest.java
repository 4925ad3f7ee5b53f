package dev.homeport.client;

import dev.homeport.client.transport.RelayHost;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Which relay the client tries, and when a round of failures (and so the backoff) is reached. */
class RelayRotationTest {
    private static final RelayHost A = new RelayHost("a.test", 7700);
    private static final RelayHost B = new RelayHost("b.test", 7700);
    private static final RelayHost C = new RelayHost("c.test", 7700);

    @Test
    void aFailureMovesToTheNextRelayAndOnlyTheLastOfARoundEndsIt() throws Exception {
        RelayRotation r = new RelayRotation(List.of(A, B, C), fixed(Map.of("a.test", "192.0.2.1", "b.test", "192.0.2.2",
                "c.test", "192.0.2.3")), startingAt(1));
        assertThat(r.current().relay()).isEqualTo(B);
        assertThat(r.position()).isEqualTo(2);
        assertThat(r.failed()).as("B failed, C is left").isFalse();
        assertThat(r.current().relay()).isEqualTo(C);
        assertThat(r.failed()).as("C failed, A is left").isFalse();
        assertThat(r.current().relay()).isEqualTo(A);
        assertThat(r.failed()).as("every relay failed: the round is over").isTrue();
        assertThat(r.current().relay()).as("the next round starts where the last one did").isEqualTo(B);
    }

    @Test
    void aSessionStartsANewRoundSoItsLossMovesOnAtOnce() throws Exception {
        RelayRotation r = new RelayRotation(List.of(A, B), fixed(Map.of("a.test", "192.0.2.1", "b.test", "192.0.2.2")),
                startingAt(0));
        assertThat(r.current().relay()).isEqualTo(A);
        assertThat(r.failed()).isFalse();
        r.connected(); // on B
        assertThat(r.failed()).as("B's session lost: A is tried at once").isFalse();
        assertThat(r.current().relay()).isEqualTo(A);
        assertThat(r.failed()).as("A fails too: both failed since the session").isTrue();
    }

    @Test
    void aSingleRelayEndsARoundWithEveryFailureAsBeforeThereWereLists() throws Exception {
        RelayRotation r = new RelayRotation(List.of(A), fixed(Map.of("a.test", "192.0.2.1")), new Random());
        assertThat(r.current().label()).isEqualTo("a.test:7700");
        assertThat(r.failed()).isTrue();
        r.connected();
        assertThat(r.failed()).isTrue();
    }

    @Test
    void manyClientsStartAtDifferentRelays() throws Exception {
        Set<RelayHost> firsts = new HashSet<>();
        RelayResolver resolver = fixed(Map.of("a.test", "192.0.2.1", "b.test", "192.0.2.2", "c.test", "192.0.2.3"));
        Random random = new Random(7);
        for (int i = 0; i < 60; i++) {
            firsts.add(new RelayRotation(List.of(A, B, C), resolver, random).current().relay());
        }
        assertThat(firsts).containsExactlyInAnyOrder(A, B, C);
    }

    @Test
    void aNameWithSeveralAddressesIsOneRelayPerAddressEachCheckedByTheName() throws Exception {
        RelayResolver resolver = host -> List.of(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("2001:db8::1"));
        RelayRotation r = new RelayRotation(List.of(A), resolver, startingAt(0));
        RelayCandidate first = r.current();
        assertThat(r.size()).isEqualTo(2);
        assertThat(first.relay()).as("TLS and known_relays go by the name").isEqualTo(A);
        assertThat(first.address()).isEqualTo(new InetSocketAddress("192.0.2.1", 7700));
        assertThat(first.label()).isEqualTo("a.test:7700 (192.0.2.1)");
        assertThat(r.failed()).isFalse();
        assertThat(r.current().address()).isEqualTo(new InetSocketAddress("2001:db8::1", 7700));
        assertThat(r.failed()).isTrue();
    }

    @Test
    void namesAreResolvedAgainAtEachRoundSoANewAddressJoinsTheNextRound() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        RelayResolver growing = host -> {
            List<InetAddress> all = new ArrayList<>(List.of(InetAddress.getByName("192.0.2.1")));
            if (lookups.incrementAndGet() > 1) {
                all.add(InetAddress.getByName("192.0.2.2"));
            }
            return all;
        };
        RelayRotation r = new RelayRotation(List.of(A), growing, startingAt(0));
        r.current();
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.failed()).isTrue();
        r.current();
        r.current();
        assertThat(lookups).as("once per round, not per attempt").hasValue(2);
        assertThat(r.size()).isEqualTo(2);
    }

    @Test
    void twoNamesOfOneAddressAreOneRelayAndAnUnknownNameIsLeftToTheConnect() throws Exception {
        RelayHost alias = new RelayHost("alias.test", 7700);
        RelayHost unknown = new RelayHost("nowhere.test", 7700);
        RelayRotation r = new RelayRotation(List.of(A, alias, unknown), fixed(Map.of("a.test", "192.0.2.1",
                "alias.test", "192.0.2.1")), startingAt(0));
        assertThat(r.current().relay()).isEqualTo(A);
        assertThat(r.size()).isEqualTo(2);
        r.failed();
        assertThat(r.current().address()).isEqualTo(InetSocketAddress.createUnresolved("nowhere.test", 7700));
    }

    @Test
    void withoutAResolverNamesStayUnresolvedForTheProxy() {
        RelayRotation r = new RelayRotation(List.of(A, B), null, startingAt(0));
        assertThat(r.current().address().isUnresolved()).isTrue();
        assertThat(r.size()).isEqualTo(2);
    }

    @Test
    void localhostWithBothLoopbackAddressesIsTwoRelays() throws Exception {
        InetAddress[] system = InetAddress.getAllByName("localhost");
        assumeThat(system.length).as("this machine's localhost has an IPv4 and an IPv6 address").isGreaterThan(1);
        RelayRotation r = new RelayRotation(List.of(new RelayHost("localhost", 7700)), RelayResolver.SYSTEM, startingAt(0));
        r.current();
        assertThat(r.size()).isEqualTo(system.length);
        Set<InetAddress> dialed = new HashSet<>();
        for (int i = 0; i < system.length; i++) {
            RelayCandidate c = r.current();
            assertThat(c.relay().host()).isEqualTo("localhost");
            dialed.add(c.address().getAddress());
            r.failed();
        }
        assertThat(dialed).containsExactlyInAnyOrder(system);
    }

    private static RelayResolver fixed(Map<String, String> addresses) {
        return host -> {
            String a = addresses.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            return List.of(InetAddress.getByName(a));
        };
    }

    /** A random source whose first pick is {@code index}. */
    private static Random startingAt(int index) {
        return new Random() {
            @Override
            public int nextInt(int bound) {
                return index % bound;
            }
        };
    }
}
