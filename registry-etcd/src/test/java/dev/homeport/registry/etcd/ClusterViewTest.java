package dev.homeport.registry.etcd;

import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.cluster.PeerRouteTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The routes the watched keys make, for relay r1: names served elsewhere, never its own. */
class ClusterViewTest {
    private final EtcdKeys keys = new EtcdKeys("/homeport/");
    private final PeerRouteTable table = new PeerRouteTable();
    private final AtomicInteger changes = new AtomicInteger();
    private ClusterView view;

    @BeforeEach
    void view() {
        view = new ClusterView(keys, "r1", table);
        table.onChange(changes::incrementAndGet);
    }

    private void relay(String id, String address) {
        view.put(keys.relay(id), address);
    }

    private void claim(String name, String principal) {
        view.put(keys.claim(name), ClaimValue.of(principal, "tcp", true, AccessPolicy.OPEN).encode());
    }

    private void member(String name, String relay, String session) {
        view.put(keys.member(name, relay, session), new MemberValue(relay, session, 1).encode());
    }

    @Test
    void aClaimServedOnAnotherRelayIsRoutedThereOnlyOnceTheRelayIsKnown() {
        claim("port/20001", "ann");
        member("port/20001", "r2", "s1");
        assertThat(table.forPort(20001)).as("relay r2 not registered yet").isNull();

        relay("r2", "[::1]:7702");

        assertThat(table.forPort(20001).relayId()).isEqualTo("r2");
        assertThat(table.forPort(20001).peer()).isEqualTo(new InetSocketAddress("::1", 7702));
        view.delete(keys.relay("r2"));
        assertThat(table.forPort(20001)).as("a relay gone takes its routes along").isNull();
    }

    @Test
    void ownMembersAreNeverRoutedAndAPoolOnOtherRelaysGoesToTheLowestId() {
        relay("r2", "127.0.0.1:7702");
        relay("r3", "127.0.0.1:7703");
        claim("host/app.example.net", "ann");
        member("host/app.example.net", "r1", "s1");
        assertThat(table.forHost("app.example.net")).isNull();

        member("host/app.example.net", "r3", "s3");
        member("host/app.example.net", "r2", "s2");
        assertThat(table.forHost("app.example.net").relayId()).isEqualTo("r2");

        view.delete(keys.member("host/app.example.net", "r2", "s2"));
        assertThat(table.forHost("app.example.net").relayId()).isEqualTo("r3");
        view.delete(keys.claim("host/app.example.net"));
        assertThat(table.forHost("app.example.net")).isNull();
    }

    @Test
    void aRewriteThatChangesNothingIsNotAChange() {
        relay("r2", "127.0.0.1:7702");
        claim("port/20001", "ann");
        member("port/20001", "r2", "s1");
        int before = changes.get();

        claim("port/20001", "ann");
        member("port/20001", "r2", "s1");

        assertThat(changes.get()).isEqualTo(before);
    }

    @Test
    void aFreshReadReplacesEverythingAndForgetsRoutesNoLongerThere() {
        relay("r2", "127.0.0.1:7702");
        claim("port/20001", "ann");
        member("port/20001", "r2", "s1");

        view.reset(Map.of(keys.relay("r2"), "127.0.0.1:7702",
                keys.claim("port/20002"), ClaimValue.of("bob", "tcp", false, AccessPolicy.OPEN).encode(),
                keys.member("port/20002", "r2", "s2"), new MemberValue("r2", "s2", 2).encode()));

        assertThat(table.forPort(20001)).isNull();
        assertThat(table.ports()).containsExactly(20002);
    }

    @Test
    void aMalformedValueIsIgnoredNotFatal() {
        view.put(keys.relay("r2"), "no-port");
        view.put(keys.claim("port/20001"), "garbage");
        assertThat(table.ports()).isEmpty();
    }
}
