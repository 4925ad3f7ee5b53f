package dev.homeport.server.peer;

import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.Open;
import dev.homeport.server.cluster.RemoteRoute;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Peer link": how a peer stream's OPEN names its target. */
class PeerTargetTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.2", 7800);

    @Test
    void aTargetReadsBackFromTheOpenItIsWrittenAs() {
        for (PeerTarget target : new PeerTarget[]{PeerTarget.port(20001), PeerTarget.http("App.Example.com"), PeerTarget.tls("nas.example.com")}) {
            Open open = new Open(target.kind(), target.name());
            assertThat(PeerTarget.of(open)).isEqualTo(target);
        }
        assertThat(PeerTarget.http("App.Example.com").name()).isEqualTo("app.example.com");
        assertThat(PeerTarget.port(20001).name()).isEqualTo("20001");
    }

    @Test
    void anOpenThatNamesNoPortNoHostOrAnUnknownKindIsRefusedWithAReason() {
        assertThatThrownBy(() -> PeerTarget.of(new Open(Bind.KIND_TCP, "0"))).hasMessageContaining("names no port");
        assertThatThrownBy(() -> PeerTarget.of(new Open(Bind.KIND_TCP, "70000"))).hasMessageContaining("names no port");
        assertThatThrownBy(() -> PeerTarget.of(new Open(Bind.KIND_TCP, "http"))).hasMessageContaining("names no port");
        assertThatThrownBy(() -> PeerTarget.of(new Open(Bind.KIND_HTTP, "bad host!"))).hasMessageContaining("no valid host");
        assertThatThrownBy(() -> PeerTarget.of(new Open(Bind.KIND_TLS, ""))).hasMessageContaining("no valid host");
        assertThatThrownBy(() -> PeerTarget.of(new Open(9, "20001"))).hasMessageContaining("unknown kind 9");
    }

    @Test
    void aRouteServesOnlyTargetsOfItsOwnKind() {
        RemoteRoute http = new RemoteRoute("r2", PEER, "http", null);
        assertThat(PeerTarget.http("a.example.com").servedBy(http)).isTrue();
        assertThat(PeerTarget.tls("a.example.com").servedBy(http)).isFalse();
        assertThat(PeerTarget.port(20001).servedBy(null)).isFalse();
    }
}
