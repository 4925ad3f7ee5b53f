package dev.homeport.e2e;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.http.HttpSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What anyone on the internet can send to the relay's public listeners: request smuggling and
 * header injection, thousands of slowloris connections, and more connections from one address than
 * its cap. Each scenario shows the service behind the tunnel saw none of it, and that normal
 * traffic kept working throughout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostilePublicTrafficTest {
    private static final String TOKEN = "hostile-public-token";
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(1);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "Content-Length with Transfer-Encoding | POST / HTTP/1.1\\r\\nHost: alpha.example.com\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\nGET /admin HTTP/1.1\\r\\nHost: alpha.example.com\\r\\n\\r\\n",
            "Transfer-Encoding chunked, identity   | POST / HTTP/1.1\\r\\nHost: alpha.example.com\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n0\\r\\n\\r\\n",
            "an overflowing chunk size             | POST / HTTP/1.1\\r\\nHost: alpha.example.com\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n10000000000000000\\r\\nx\\r\\n0\\r\\n\\r\\n",
            "a control character in a header name  | GET / HTTP/1.1\\r\\nHost: alpha.example.com\\r\\nX-A\\u0001B: 1\\r\\n\\r\\n",
            "obs-fold                              | GET / HTTP/1.1\\r\\nHost: alpha.example.com\\r\\nX-A: 1\\r\\n  folded: 2\\r\\n\\r\\n",
            "a NUL in a header value               | GET / HTTP/1.1\\r\\nHost: alpha.example.com\\r\\nX-A: 1\\u0000\\r\\n\\r\\n",
    })
    void smugglingAndHeaderInjectionAre400AndCloseAndNeverReachTheService(String what, String raw) throws Exception {
        String request = raw.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0001", "\u0001").replace("\\u0000", "\u0000");
        RelayServer relay = relay(UnaryOperator.identity());
        HttpEchoService alpha = service("alpha");
        bind(relay, alpha);

        try (RawHttp c = new RawHttp(relay.httpAddress())) {
            RawHttp.Response r = c.send(request).read();
            assertThat(r.status()).as(what).isEqualTo(400);
            assertThat(c.closedWithin(Duration.ofSeconds(5))).as("closed after the 400").isTrue();
        }
        assertThat(alpha.connections.get()).as("connections at the service").isZero();
        assertThat(alpha.bytesReceived.get()).as("bytes at the service").isZero();
        // and the tunnel still serves a well-formed request
        try (RawHttp c = new RawHttp(relay.httpAddress())) {
            assertThat(c.send(RawHttp.get("alpha.example.com", "/fine")).read().status()).isEqualTo(200);
        }
    }

    @Test
    void twoThousandSlowlorisConnectionsAreClosedAtTheHeaderTimeoutWhileNormalRequestsAreServed() throws Exception {
        RelayServer relay = relay(UnaryOperator.identity());
        HttpEchoService alpha = service("alpha");
        bind(relay, alpha);
        int perAddress = relay.config().maxConnectionsPerAddress();
        List<Socket> slow = new ArrayList<>();
        try {
            // 2,000 connections from 20 loopback addresses, each at its per-address cap, each sending half a head.
            for (int i = 0; i < 2_000; i++) {
                Socket s = new Socket();
                slow.add(s);
                s.bind(new InetSocketAddress(InetAddress.getByName("127.0.1." + (1 + i / perAddress)), 0));
                s.connect(relay.httpAddress(), 5_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: alpha.example.com\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
            }
            try (RawHttp normal = new RawHttp(relay.httpAddress())) {
                assertThat(normal.send(RawHttp.get("alpha.example.com", "/")).read().status()).isEqualTo(200);
            }
            int closed = 0;
            for (Socket s : slow) {
                if (closedWithin(s, Duration.ofSeconds(10))) {
                    closed++;
                }
            }
            assertThat(closed).as("slowloris connections the relay closed").isEqualTo(2_000);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
        assertThat(alpha.requestHeads).as("requests that reached the service").hasSize(1);
        Await.until(Duration.ofSeconds(10), "every slowloris connection uncounted",
                () -> relay.connectionsPerAddress().addresses() == 0);
    }

    @Test
    void oneAddressGetsAtMostItsCapOfPublicConnectionsOverTcpAndHttpWhileAnotherAddressConnects() throws Exception {
        LocalService echo = LocalService.echo(0);
        open.add(echo);
        RelayServer relay = relay(c -> c.withMaxConnectionsPerAddress(3));
        HttpEchoService alpha = service("alpha");
        bind(relay, alpha);
        int tcpPort = bindTcp(relay, echo.port());
        InetAddress attacker = InetAddress.getByName("127.0.0.1");
        InetAddress neighbour = InetAddress.getByName("127.0.0.2");

        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                held.add(echoing(attacker, new InetSocketAddress("127.0.0.1", tcpPort), "tcp " + i));
            }
            RawHttp http = new RawHttp(relay.httpAddress()); // the third, on the HTTP port: the cap counts both listeners
            open.add(http);
            assertThat(http.send(RawHttp.get("alpha.example.com", "/")).read().status()).isEqualTo(200);
            Await.until(Duration.ofSeconds(5), "three counted", () -> relay.connectionsPerAddress().openFrom(attacker) == 3);

            assertThat(resetAtAccept(attacker, new InetSocketAddress("127.0.0.1", tcpPort))).as("a fourth TCP connection is reset").isTrue();
            assertThat(resetAtAccept(attacker, relay.httpAddress())).as("and so is one on the HTTP port").isTrue();
            assertThat(relay.meterRegistry().counter("homeport.public.connections.refused", "reason", "per_address_cap").count())
                    .isEqualTo(2.0); // counted before the reset is sent
            held.add(echoing(neighbour, new InetSocketAddress("127.0.0.1", tcpPort), "the neighbour is served"));

            held.remove(0).close();
            Await.until(Duration.ofSeconds(5), "a closed connection frees its place",
                    () -> relay.connectionsPerAddress().openFrom(attacker) == 2);
            held.add(echoing(attacker, new InetSocketAddress("127.0.0.1", tcpPort), "a place again"));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        assertThat(alpha.connections.get()).as("only the admitted HTTP connection reached the service").isEqualTo(1);
    }

    // ---- fixtures ----

    private RelayServer relay(UnaryOperator<RelayServerConfig> settings) throws InterruptedException {
        HttpSettings http = HttpSettings.on(new InetSocketAddress("127.0.0.1", 0), "example.com").withHeaderTimeout(HEAD_TIMEOUT);
        int base = FreePorts.block(3);
        RelayServer relay = RelayServer.start(settings.apply(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base),
                "127.0.0.1", new PortRange(base + 1, base + 2), new SingleToken(TOKEN)).withShutdownGrace(Duration.ZERO).withHttp(http)));
        open.add(relay);
        return relay;
    }

    private HttpEchoService service(String name) throws InterruptedException {
        HttpEchoService s = HttpEchoService.start(name);
        open.add(s);
        return s;
    }

    private void bind(RelayServer relay, HttpEchoService service) throws Exception {
        client(relay, TunnelSpec.http("a", "127.0.0.1", service.port(), "alpha")).bound().get(10, TimeUnit.SECONDS);
    }

    private int bindTcp(RelayServer relay, int localPort) throws Exception {
        RelayClient c = client(relay, new TunnelSpec("t", "127.0.0.1", localPort, 0));
        return URI.create(c.bound().get(10, TimeUnit.SECONDS).get("t")).getPort();
    }

    private RelayClient client(RelayServer relay, TunnelSpec tunnel) {
        RelayClient c = RelayClient.start(RelayClientConfig.of("127.0.0.1", relay.controlAddress().getPort(), TOKEN,
                List.of(tunnel)).withShutdownGrace(Duration.ZERO), new ClientEvents() {
        });
        open.add(c);
        return c;
    }

    private static Socket connectFrom(InetAddress from, InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(to, 5_000);
        return s;
    }

    /** Whether a connection from {@code from} is ended by the relay (the reset may even reach connect()). */
    private static boolean resetAtAccept(InetAddress from, InetSocketAddress to) throws IOException {
        try (Socket s = connectFrom(from, to)) {
            return closedWithin(s, Duration.ofSeconds(5));
        } catch (SocketException resetWhileConnecting) {
            return true;
        }
    }

    /** A connection from {@code from} that echoed {@code text} through the tunnel and stays open. */
    private static Socket echoing(InetAddress from, InetSocketAddress to, String text) throws IOException {
        Socket s = connectFrom(from, to);
        s.setSoTimeout(10_000);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(bytes);
        assertThat(new String(s.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8)).isEqualTo(text);
        return s;
    }

    private static boolean closedWithin(Socket s, Duration limit) throws IOException {
        s.setSoTimeout((int) limit.toMillis());
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // drop anything before the end
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }
}
