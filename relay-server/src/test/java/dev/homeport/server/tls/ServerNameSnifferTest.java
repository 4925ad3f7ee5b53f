package dev.homeport.server.tls;

import dev.homeport.testsupport.FrozenTime;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.homeport.server.tls.ClientHellos.concat;
import static dev.homeport.server.tls.ClientHellos.extension;
import static dev.homeport.server.tls.ClientHellos.handMade;
import static dev.homeport.server.tls.ClientHellos.padding;
import static dev.homeport.server.tls.ClientHellos.serverName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ClientHello sniffer on an EmbeddedChannel: it finds the server name however the hello is cut
 * into records and reads, hands every byte on once routed, and closes on anything it cannot trust.
 */
class ServerNameSnifferTest {
    private static final int LIMIT = ClientHelloReader.DEFAULT_LIMIT;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Records the names routed and removes the sniffer, as the relay's router does. */
    private final List<String> routed = new ArrayList<>();

    private EmbeddedChannel channel() {
        return FrozenTime.channel(new ServerNameSniffer(LIMIT, TIMEOUT, (ctx, name) -> {
            routed.add(name);
            ctx.pipeline().remove(ctx.handler());
        }));
    }

    /** Writes {@code bytes} in reads of {@code chunk} bytes, as tiny TCP segments would arrive. */
    private static void writeInChunks(EmbeddedChannel ch, byte[] bytes, int chunk) {
        for (int i = 0; i < bytes.length && ch.isOpen(); i += chunk) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i)));
        }
    }

    /** Everything the sniffer handed on, as one array. */
    private static byte[] passedOn(EmbeddedChannel ch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b; (b = ch.readInbound()) != null; ) {
            out.writeBytes(ByteBufUtil.getBytes(b));
            b.release();
        }
        return out.toByteArray();
    }

    @Test
    void aRealClientHelloInOneReadIsRoutedByItsServerNameAndPassedOnWhole() throws Exception {
        byte[] hello = ClientHellos.fromJdk("jupyter.example.com");
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(hello));
        assertThat(routed).containsExactly("jupyter.example.com");
        assertThat(passedOn(ch)).isEqualTo(hello);
        assertThat(ch.pipeline().get(ServerNameSniffer.class)).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "records of {0} byte(s)")
    @ValueSource(ints = {1, 2, 3, 7, 64})
    void aHelloSplitIntoTinyRecordsArrivingOneByteAtATimeIsStillRead(int recordSize) throws Exception {
        byte[] hello = ClientHellos.reframed(ClientHellos.fromJdk("Nas.Example.com"), recordSize);
        EmbeddedChannel ch = channel();
        writeInChunks(ch, hello, 1);
        assertThat(routed).containsExactly("nas.example.com");
        assertThat(passedOn(ch)).isEqualTo(hello);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void bytesThatFollowTheHelloInTheSameReadArePassedOnBehindIt() throws Exception {
        byte[] hello = ClientHellos.fromJdk("a.example.com");
        byte[] early = "early data".getBytes(StandardCharsets.US_ASCII);
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(concat(hello, early)));
        assertThat(routed).containsExactly("a.example.com");
        assertThat(passedOn(ch)).isEqualTo(concat(hello, early));
        ch.finishAndReleaseAll();
    }

    @Test
    void aHelloWithoutServerNameIsClosedAndGoesNowhere() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(ClientHellos.fromJdk(null)));
        assertThat(ch.isOpen()).isFalse();
        assertThat(routed).isEmpty();
        assertThat(passedOn(ch)).isEmpty();
        ch.finishAndReleaseAll();
    }

    static List<byte[]> malformed() {
        byte[] good = handMade(serverName("x.example.com"));
        byte[] lyingExtensions = good.clone();
        lyingExtensions[5 + 4 + 2 + 32 + 1 + 4 + 2 + 1] += 3; // extensions length beyond the message
        byte[] notHello = good.clone();
        notHello[5] = 2; // a ServerHello
        return List.of(
                "GET / HTTP/1.1\r\nHost: x.example.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                new byte[] {21, 3, 3, 0, 2, 2, 40}, // an alert record
                new byte[] {22, 3, 1, 0, 0, 22, 3, 1, 0, 4}, // an empty handshake record
                new byte[] {22, 3, 1, 0x48, 0x01}, // a record longer than TLS allows
                lyingExtensions,
                notHello,
                handMade(serverName("x.example.com"), serverName("y.example.com")),
                handMade(serverName("x.example.com", "y.example.com")),
                handMade(serverName("bad_name.example.com")),
                handMade(serverName("x.example.com.")),
                handMade(serverName("x.exa\u00e9mple.com")),
                handMade(extension(0, new byte[] {0, 5, 0, 0, 9})));
    }

    @Test
    void malformedFirstBytesAreClosedWithoutRoutingOrPassingAnythingOn() {
        List<byte[]> cases = malformed();
        for (int i = 0; i < cases.size(); i++) {
            routed.clear();
            EmbeddedChannel ch = channel();
            ch.writeInbound(Unpooled.wrappedBuffer(cases.get(i)));
            assertThat(ch.isOpen()).as("case %d still open", i).isFalse();
            assertThat(routed).as("case %d", i).isEmpty();
            assertThat(passedOn(ch)).as("case %d", i).isEmpty();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aHelloDeclaringMoreThanTheLimitIsClosedAsSoonAsItsLengthIsKnown() {
        byte[] big = ClientHellos.reframed(handMade(serverName("x.example.com"), padding(LIMIT)), 1000);
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(big, 0, 5 + 4)); // a record header, the hello's header: nothing whole yet
        assertThat(ch.isOpen()).isTrue();
        ch.writeInbound(Unpooled.wrappedBuffer(big, 9, 1000 - 4)); // the first record completes: the declared length is known
        assertThat(ch.isOpen()).isFalse();
        assertThat(routed).isEmpty();
        assertThat(passedOn(ch)).isEmpty();
        ch.finishAndReleaseAll();

        EmbeddedChannel oneRecord = channel(); // a single record announcing more than the limit: closed at its header
        oneRecord.writeInbound(Unpooled.wrappedBuffer(new byte[] {22, 3, 1, 0x40, 0x00}));
        assertThat(oneRecord.isOpen()).isFalse();
        oneRecord.finishAndReleaseAll();
    }

    @Test
    void aHelloWhoseRecordsOutgrowTheLimitIsClosedBeforeMoreIsHeld() {
        // Within the limit as a message, but one-byte records multiply it by six on the wire.
        byte[] hello = ClientHellos.reframed(handMade(serverName("x.example.com"), padding(LIMIT / 4)), 1);
        EmbeddedChannel ch = channel();
        writeInChunks(ch, hello, 512);
        assertThat(ch.isOpen()).isFalse();
        assertThat(routed).isEmpty();
        assertThat(passedOn(ch)).isEmpty();
        ch.finishAndReleaseAll();
    }

    @Test
    void aHelloJustUnderTheLimitIsRouted() {
        byte[] hello = handMade(serverName("x.example.com"), padding(LIMIT - 200));
        assertThat(hello.length).isLessThanOrEqualTo(LIMIT);
        EmbeddedChannel ch = channel();
        writeInChunks(ch, hello, 1000);
        assertThat(routed).containsExactly("x.example.com");
        assertThat(passedOn(ch)).isEqualTo(hello);
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectionThatSendsHalfAHelloIsClosedAtTheTimeout() throws Exception {
        byte[] hello = ClientHellos.fromJdk("x.example.com");
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(hello, 0, hello.length / 2));
        ch.advanceTimeBy(TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(routed).isEmpty();
        assertThat(passedOn(ch)).isEmpty();
        ch.finishAndReleaseAll();
    }

    @Test
    void aRouteThatTakesItsTimeGetsTheBytesThatArriveMeanwhileToo() throws Exception {
        byte[] hello = ClientHellos.fromJdk("x.example.com");
        ChannelHandlerContext[] held = new ChannelHandlerContext[1];
        EmbeddedChannel ch = new EmbeddedChannel(new ServerNameSniffer(LIMIT, TIMEOUT, (ctx, name) -> held[0] = ctx));
        ch.writeInbound(Unpooled.wrappedBuffer(hello));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        assertThat(passedOn(ch)).isEmpty();
        ch.pipeline().remove(held[0].handler());
        assertThat(passedOn(ch)).isEqualTo(concat(hello, new byte[] {1, 2, 3}));
        ch.finishAndReleaseAll();
    }
}
