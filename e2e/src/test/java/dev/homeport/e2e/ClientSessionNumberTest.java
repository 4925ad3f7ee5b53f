package dev.homeport.e2e;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.transport.ClientTransport;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Bind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PROTOCOL.md, "Pools": the real client names its instance in every BIND of every session, and numbers
 * its sessions (BIND's {@code connection}) one more each time it connects again, so that a relay can tell
 * a late BIND of a session the client gave up from one of its newer session. A fake relay on a real
 * socket reads the BINDs of two sessions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientSessionNumberTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void everyBindOfASessionCarriesTheSameNumberAndTheNextSessionTheNextNumberUnderTheSameInstance() throws Exception {
        ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        open.add(fake);
        fake.setSoTimeout(10_000);
        RelayClient client = RelayClient.start(RelayClientConfig.of("127.0.0.1", fake.getLocalPort(), "client-token",
                        List.of(new TunnelSpec("a", "127.0.0.1", 1, 0), new TunnelSpec("b", "127.0.0.1", 2, 0)))
                .withTransport(ClientTransport.plain()).withShutdownGrace(Duration.ZERO), new ClientEvents() {
        });
        open.add(client);

        List<Bind> first = bindsOfOneSession(fake); // the client loses this session: the socket closes
        List<Bind> second = bindsOfOneSession(fake);

        assertThat(first).extracting(Bind::connection).containsExactly(1L, 1L);
        assertThat(second).extracting(Bind::connection).as("the next session").containsExactly(2L, 2L);
        long instance = first.get(0).instance();
        assertThat(instance).isNotZero();
        assertThat(second).extracting(Bind::instance).containsOnly(instance);
        assertThat(first).extracting(Bind::instance).containsOnly(instance);
    }

    /** Accepts one session, reads its two BINDs and closes it without answering them. */
    private static List<Bind> bindsOfOneSession(ServerSocket fake) throws IOException {
        try (Socket s = fake.accept()) {
            s.setSoTimeout(10_000);
            FakeRelay relay = new FakeRelay(s);
            relay.handshake();
            return List.of(Bind.decode(relay.expect(FrameType.BIND).payload()), Bind.decode(relay.expect(FrameType.BIND).payload()));
        }
    }
}
