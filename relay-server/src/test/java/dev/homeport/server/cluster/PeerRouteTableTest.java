package dev.homeport.server.cluster;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class PeerRouteTableTest {
    private static final InetSocketAddress PEER_B = new InetSocketAddress("127.0.0.2", 7800);
    private static final InetSocketAddress PEER_C = new InetSocketAddress("127.0.0.3", 7800);

    @Test
    void aPortAndAHostRouteAreFoundUntilRemoved() {
        PeerRouteTable table = new PeerRouteTable();
        RemoteRoute tcp = new RemoteRoute("b", PEER_B, "tcp", null);
        RemoteRoute http = new RemoteRoute("b", PEER_B, "http", null);
        table.port(20001, tcp);
        table.host("App.Example.NET", http);

        assertThat(table.forPort(20001)).isSameAs(tcp);
        assertThat(table.forPort(20002)).isNull();
        assertThat(table.forHost("app.example.net")).isSameAs(http);
        assertThat(table.ports()).containsExactly(20001);

        table.port(20001, null);
        table.host("app.example.net", null);
        assertThat(table.forPort(20001)).isNull();
        assertThat(table.forHost("app.example.net")).isNull();
        assertThat(table.ports()).isEmpty();
    }

    @Test
    void forgettingARelayDropsOnlyItsRoutes() {
        PeerRouteTable table = new PeerRouteTable();
        table.port(20001, new RemoteRoute("b", PEER_B, "tcp", null));
        table.host("b.example.net", new RemoteRoute("b", PEER_B, "http", null));
        RemoteRoute onC = new RemoteRoute("c", PEER_C, "tcp", null);
        table.port(20002, onC);

        table.forgetRelay("b");

        assertThat(table.ports()).containsExactly(20002);
        assertThat(table.forPort(20002)).isSameAs(onC);
        assertThat(table.forHost("b.example.net")).isNull();
    }

    @Test
    void listenersHearOfChangesButNotOfWritesThatChangeNothing() {
        PeerRouteTable table = new PeerRouteTable();
        AtomicInteger changes = new AtomicInteger();
        table.onChange(changes::incrementAndGet);
        RemoteRoute tcp = new RemoteRoute("b", PEER_B, "tcp", null);

        table.port(20001, tcp);
        table.port(20001, tcp);
        table.port(20003, null);
        table.forgetRelay("nobody");
        assertThat(changes).hasValue(1);

        table.forgetRelay("b");
        assertThat(changes).hasValue(2);
    }
}
