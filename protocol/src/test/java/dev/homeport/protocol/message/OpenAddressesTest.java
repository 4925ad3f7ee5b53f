package dev.homeport.protocol.message;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static dev.homeport.protocol.frame.FrameCodec.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "OPEN addresses", one test per rule, in the order the section gives them. */
class OpenAddressesTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final String PEER = "peer-for-logs";

    @Test
    void familyFourIsFollowedBySourceAddressAndPortThenDestinationAddressAndPort() throws Exception {
        Open open = new Open(7, PEER, new PeerEndpoints(new InetSocketAddress("127.0.0.5", 40001),
                new InetSocketAddress("127.0.0.1", 20000)));
        assertThat(encoded(open)).containsExactly(concat(v1Fields(7), new byte[]{4, 127, 0, 0, 5, (byte) 0x9c, 0x41,
                127, 0, 0, 1, 0x4e, 0x20}));
        assertThat(decoded(encoded(open))).isEqualTo(open);
    }

    @Test
    void familySixCarriesSixteenByteAddresses() throws Exception {
        InetAddress source = InetAddress.getByName("2001:db8::5");
        InetAddress destination = InetAddress.getByName("2001:db8::1");
        Open open = new Open(7, PEER, new PeerEndpoints(new InetSocketAddress(source, 443), new InetSocketAddress(destination, 8443)));
        byte[] expected = concat(v1Fields(7), new byte[]{6}, source.getAddress(), new byte[]{1, (byte) 0xbb},
                destination.getAddress(), new byte[]{0x20, (byte) 0xfb});
        assertThat(encoded(open)).containsExactly(expected);
        assertThat(decoded(expected)).isEqualTo(open);
    }

    @Test
    void familyZeroHasNoFurtherFields() {
        assertThat(encoded(new Open(7, PEER))).containsExactly(concat(v1Fields(7), new byte[]{0}));
        assertThat(decoded(concat(v1Fields(7), new byte[]{0})).endpoints()).isEqualTo(PeerEndpoints.UNKNOWN);
    }

    @Test
    void anIpv4EndBesideAnIpv6EndIsWrittenIpv4MappedUnderFamilySix() throws Exception {
        Open open = new Open(7, PEER, new PeerEndpoints(new InetSocketAddress("192.0.2.9", 5000),
                new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 443)));
        byte[] wire = encoded(open);
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 9};
        assertThat(wire).startsWith(concat(v1Fields(7), new byte[]{6}, mapped, new byte[]{0x13, (byte) 0x88}));
        // Read back, the mapped address is the IPv4 peer again.
        assertThat(decoded(wire).endpoints().source()).isEqualTo(new InetSocketAddress("192.0.2.9", 5000));
    }

    @Test
    void theRelayWritesFamilyZeroForASocketWithoutIpAddressesAtBothEnds() {
        assertThat(PeerEndpoints.of(new io.netty.channel.local.LocalAddress("x"), new InetSocketAddress("127.0.0.1", 1)))
                .isEqualTo(PeerEndpoints.UNKNOWN);
        assertThat(PeerEndpoints.of(new InetSocketAddress("127.0.0.5", 9), new InetSocketAddress("127.0.0.1", 1)).known()).isTrue();
    }

    @Test
    void anOpenEndingAfterPeerAddressFromAnOlderRelayReadsAsFamilyZero() {
        Open open = decoded(v1Fields(7));
        assertThat(open).isEqualTo(new Open(7, PEER, PeerEndpoints.UNKNOWN));
    }

    @Test
    void aReceiverThatPredatesTheAddressesReadsTheV1FieldsAndIgnoresTheRest() {
        // What a release-1 decoder does: tunnel_id, peer_address, and nothing more (it ignores trailing bytes).
        ByteBuf in = Unpooled.wrappedBuffer(encoded(new Open(7, PEER, new PeerEndpoints(new InetSocketAddress("127.0.0.5", 1),
                new InetSocketAddress("127.0.0.1", 2)))));
        try {
            assertThat(in.readInt()).isEqualTo(7);
            assertThat(Wire.readString(in, "OPEN", "peerAddress")).isEqualTo(PEER);
        } finally {
            in.release();
        }
    }

    @Test
    void anUnknownFamilyReadsAsFamilyZeroAndItsBytesAreIgnored() {
        assertThat(decoded(concat(v1Fields(7), new byte[]{9, 1, 2, 3, 4, 5, 6, 7})).endpoints()).isEqualTo(PeerEndpoints.UNKNOWN);
    }

    @Test
    void aKnownFamilyWithTooFewBytesIsAProtocolError() {
        byte[] full = encoded(new Open(7, PEER, new PeerEndpoints(new InetSocketAddress("127.0.0.5", 1),
                new InetSocketAddress("127.0.0.1", 2))));
        int v1 = v1Fields(7).length;
        for (int cut = v1 + 1; cut < full.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(full, cut);
            assertThatThrownBy(() -> decoded(truncated)).as("cut to %d of %d", cut, full.length)
                    .isInstanceOfSatisfying(ProtocolException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
                        assertThat(e.getMessage()).matches("OPEN payload truncated at field (source|destination)_(address|port): .*");
                    });
        }
    }

    private static byte[] v1Fields(int tunnelId) {
        byte[] peer = PEER.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[]{0, 0, 0, (byte) tunnelId, 0, (byte) peer.length}, peer);
    }

    private static byte[] encoded(Open open) {
        Frame f = open.toFrame(ALLOC, 1);
        try {
            return bytes(f.payload());
        } finally {
            f.release();
        }
    }

    private static Open decoded(byte[] payload) {
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        try {
            return Open.decode(in);
        } finally {
            in.release();
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
