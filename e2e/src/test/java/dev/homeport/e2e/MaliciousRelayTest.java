package dev.homeport.e2e;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.transport.ClientTransport;
import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.BindOk;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.message.Hello;
import dev.homeport.protocol.message.Open;
import dev.homeport.protocol.message.OpenRefused;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay that turns against its client: a fake relay in this test, speaking the real protocol
 * classes on a real socket, completes the handshake, grants the client's tunnel, and then opens
 * streams meant to reach other places in the home network. The client connects only the local
 * target configured for its tunnel, and refuses a stream for a tunnel it does not have. What such a
 * relay says (addresses, reasons) reaches the user's terminal without its control characters.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MaliciousRelayTest {
    private static final int TUNNEL_ID = 7;

    @RegisterExtension
    final Teardown open = new Teardown();

    @Test
    void streamsNamingAnotherTunnelOrAnotherHostReachOnlyTheConfiguredLocalTarget() throws Exception {
        LocalService target = echo();
        LocalService elsewhere = echo(); // another service on the home network the relay would like to reach
        ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        open.add(fake);
        RelayClient client = RelayClient.start(RelayClientConfig.of("127.0.0.1", fake.getLocalPort(), "client-token",
                        List.of(new TunnelSpec("t", "127.0.0.1", target.port(), 0)))
                .withTransport(ClientTransport.plain()).withShutdownGrace(Duration.ZERO), new ClientEvents() {
        });
        open.add(client);
        fake.setSoTimeout(10_000);
        try (Socket s = fake.accept()) {
            s.setSoTimeout(10_000);
            FakeRelay relay = new FakeRelay(s);
            relay.handshakeAndGrantTheTunnel(TUNNEL_ID);

            // 1. A tunnel id the client never bound, with the address of the other service as its peer.
            String decoy = "127.0.0.1:" + elsewhere.port();
            relay.send(new Open(99, decoy), 1);
            Frame answer = relay.next(1);
            assertThat(answer.type()).isEqualTo(FrameType.OPEN_REFUSED);
            OpenRefused refused = OpenRefused.decode(answer.payload());
            assertThat(refused.code()).isEqualTo(ErrorCode.BIND_DENIED);
            assertThat(refused.message()).isEqualTo("no tunnel 99 on this client");

            // 2. The client's own tunnel, with the other service's address as the peer, and bytes at once.
            relay.send(new Open(TUNNEL_ID, decoy), 3);
            relay.data(3, "where am I?");
            Frame echoed = relay.next(3);
            assertThat(echoed.type()).isEqualTo(FrameType.DATA);
            assertThat(echoed.payload().toString(StandardCharsets.UTF_8)).isEqualTo("where am I?");

            // 3. The same with a host and port appended to OPEN's payload: unknown trailing bytes are ignored.
            ByteBuf extended = Unpooled.buffer();
            extended.writeInt(TUNNEL_ID);
            extended.writeShort(decoy.length()).writeBytes(decoy.getBytes(StandardCharsets.UTF_8));
            extended.writeShort(decoy.length()).writeBytes(decoy.getBytes(StandardCharsets.UTF_8));
            relay.raw(FrameType.OPEN, 5, ByteBufUtil.getBytes(extended));
            relay.data(5, "and now?");
            assertThat(relay.next(5).payload().toString(StandardCharsets.UTF_8)).isEqualTo("and now?");
        }
        assertThat(target.accepted()).as("connections at the configured target").isEqualTo(2);
        assertThat(elsewhere.accepted()).as("connections anywhere else").isZero();
    }

    @Test
    void whatARelaySendsReachesTheUsersTerminalWithoutControlCharacters() throws Exception {
        String escapes = "\u001b]0;retitled\u0007\u001b[2J\u001b[31m\r\n\u202e";
        LocalService target = echo();
        ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        open.add(fake);
        fake.setSoTimeout(30_000);
        Path state = Files.createTempDirectory("homeport-malicious-relay");
        CliProcess client = CliProcess.homeportOnATerminal(state, "tcp", Integer.toString(target.port()), "--server",
                "tcp://127.0.0.1:" + fake.getLocalPort(), "--token", "client-token", "--insecure-plaintext",
                "--max-backoff", "200ms", "--state-dir", state.resolve("state").toString());
        open.add(client);
        try (Socket s = fake.accept()) {
            s.setSoTimeout(30_000);
            FakeRelay relay = new FakeRelay(s);
            relay.handshake();
            Bind bind = Bind.decode(relay.expect(FrameType.BIND).payload());
            relay.send(new BindOk(bind.requestId(), TUNNEL_ID, 20_000, "relay" + escapes + ".example"), 0);
            client.awaitStdout(1, l -> l.contains("tcp://relay"), CliProcess.START_TIMEOUT);
            relay.send(new GoAway(ErrorCode.SHUTDOWN, "restarting" + escapes), 0);
            relay.expect(FrameType.GO_AWAY); // the client's: drained; the relay closes (PROTOCOL.md, "GO_AWAY")
        }
        try (Socket s = fake.accept()) {
            FakeRelay relay = new FakeRelay(s);
            Hello.decode(relay.expect(FrameType.HELLO).payload());
            relay.send(new GoAway(ErrorCode.AUTH_FAILED, "go away" + escapes), 0);
        }
        assertThat(client.exitCode()).isEqualTo(1);

        List<String> shown = client.stdout();
        assertThat(shown).anyMatch(l -> l.contains("tcp://relay]0;retitled[2J[31m.example:20000"));
        assertThat(shown).anyMatch(l -> l.contains("homeport: relay refused the session: go away]0;retitled[2J[31m"));
        assertThat(String.join("\n", shown).replace("\u001b[K", "")).as("the client's own erase is the only escape")
                .doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u202e");
    }

    private LocalService echo() throws IOException {
        LocalService s = LocalService.echo(0);
        open.add(s);
        return s;
    }
}
