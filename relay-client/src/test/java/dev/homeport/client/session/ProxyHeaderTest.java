package dev.homeport.client.session;

import dev.homeport.protocol.message.PeerEndpoints;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The PROXY v2 header built from OPEN's addresses, encoded by Netty's encoder and read back by its decoder. */
class ProxyHeaderTest {

    @Test
    void anIpv4PeerBecomesATcp4ProxyHeaderWithSourceAndDestination() {
        HAProxyMessage m = roundTrip(new PeerEndpoints(new InetSocketAddress("127.0.0.5", 40001), new InetSocketAddress("127.0.0.1", 20000)));
        try {
            assertThat(m.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V2);
            assertThat(m.command()).isEqualTo(HAProxyCommand.PROXY);
            assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
            assertThat(m.sourceAddress()).isEqualTo("127.0.0.5");
            assertThat(m.sourcePort()).isEqualTo(40001);
            assertThat(m.destinationAddress()).isEqualTo("127.0.0.1");
            assertThat(m.destinationPort()).isEqualTo(20000);
        } finally {
            m.release();
        }
    }

    @Test
    void anIpv6PeerBesideAnIpv4RelayAddressBecomesTcp6WithTheIpv4EndMapped() throws Exception {
        HAProxyMessage m = roundTrip(new PeerEndpoints(new InetSocketAddress(InetAddress.getByName("2001:db8::5"), 443),
                new InetSocketAddress("192.0.2.1", 8443)));
        try {
            assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
            assertThat(InetAddress.getByName(m.sourceAddress())).isEqualTo(InetAddress.getByName("2001:db8::5"));
            assertThat(InetAddress.getByName(m.destinationAddress())).isEqualTo(InetAddress.getByName("192.0.2.1"));
            assertThat(m.destinationPort()).isEqualTo(8443);
        } finally {
            m.release();
        }
    }

    @Test
    void withoutAddressesTheHeaderSaysLocal() {
        HAProxyMessage m = roundTrip(PeerEndpoints.UNKNOWN);
        try {
            assertThat(m.command()).isEqualTo(HAProxyCommand.LOCAL);
            assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.UNKNOWN);
        } finally {
            m.release();
        }
    }

    private static HAProxyMessage roundTrip(PeerEndpoints endpoints) {
        EmbeddedChannel out = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        EmbeddedChannel in = new EmbeddedChannel(new HAProxyMessageDecoder());
        try {
            out.writeOutbound(ProxyHeader.of(endpoints));
            ByteBuf wire = out.readOutbound();
            assertThat(wire.getByte(12) & 0xF0).as("version 2 in the 13th byte").isEqualTo(0x20);
            in.writeInbound(wire);
            return in.readInbound();
        } finally {
            out.finishAndReleaseAll();
            in.finishAndReleaseAll();
        }
    }
}
