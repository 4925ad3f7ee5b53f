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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-tunnel traffic meters, read the way Prometheus reads them: known bytes go through two TCP
 * tunnels and one HTTP tunnel, and the scrape shows exactly those bytes per tunnel and direction
 * (in = public side to client, out = client to public side), and one opened stream per connection.
 * When the client is gone for good, its tunnels' meters leave the scrape.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TunnelTrafficMetricsTest {
    private static final String TOKEN = "traffic-metrics-test";
    private static final String BYTES = "homeport_tunnel_traffic_bytes_total";
    private static final String OPENED = "homeport_streams_opened_total";
    private static final String HTTP_ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";

    @Test
    void scrapeShowsExactBytesPerTunnelAndDirectionAndStreamsOpenedByKind() throws Exception {
        int base = FreePorts.block(3);
        int echoPort = base + 1;
        int countPort = base + 2;
        AtomicLong httpRequestBytes = new AtomicLong();
        try (RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                        new PortRange(echoPort, countPort), new SingleToken(TOKEN))
                     .withShutdownGrace(Duration.ZERO).withReconnectGrace(Duration.ofMillis(200))
                     .withHttp(HttpSettings.on(new InetSocketAddress("127.0.0.1", 0), "example.com"))
                     .withAdmin(new InetSocketAddress("127.0.0.1", 0)));
             LocalService echo = LocalService.start(c -> c.getInputStream().transferTo(c.getOutputStream()));
             // Reads to the end, then answers how many bytes it read, as decimal text.
             LocalService count = LocalService.start(c -> c.getOutputStream().write(
                     Long.toString(c.getInputStream().transferTo(OutputStreamSink.INSTANCE)).getBytes(StandardCharsets.US_ASCII)));
             // A raw HTTP service, so the test knows the exact bytes of the request it got and of its answer.
             LocalService web = LocalService.start(c -> {
                 httpRequestBytes.set(readHead(c.getInputStream()));
                 c.getOutputStream().write(HTTP_ANSWER.getBytes(StandardCharsets.US_ASCII));
             })) {
            RelayClient client = RelayClient.start(RelayClientConfig.of("127.0.0.1", base, TOKEN, List.of(
                    new TunnelSpec("echo", "127.0.0.1", echo.port(), echoPort),
                    new TunnelSpec("count", "127.0.0.1", count.port(), countPort),
                    TunnelSpec.http("web", "127.0.0.1", web.port(), "web"))).withShutdownGrace(Duration.ZERO), new ClientEvents() { });
            try (client) {
                client.bound().get(10, TimeUnit.SECONDS);
                int admin = relay.adminAddress().getPort();
                Scrape before = Scrape.of(admin);
                assertThat(before.value(BYTES, "tunnel", Integer.toString(echoPort), "direction", "in")).isZero();
                assertThat(before.value(OPENED, "kind", "tcp")).isZero();

                String first = "a".repeat(1000);
                String second = "b".repeat(234);
                assertThat(SecurityTest.echoThrough(echoPort, first)).isEqualTo(first);
                assertThat(SecurityTest.echoThrough(echoPort, second)).isEqualTo(second);
                assertThat(SecurityTest.echoThrough(countPort, "c".repeat(70_000))).isEqualTo("70000");
                String response = httpGet(relay.httpAddress().getPort(), "web.example.com");
                assertThat(response).isEqualTo(HTTP_ANSWER);
                long httpIn = httpRequestBytes.get();
                assertThat(httpIn).isPositive();

                // The out counters add once a write to the public socket completed, a moment after the reader saw the bytes.
                Await.until(Duration.ofSeconds(10), "the scrape shows every byte", () -> {
                    Scrape s = scrape(admin);
                    return s.value(BYTES, "tunnel", Integer.toString(echoPort), "direction", "out") == 1234
                            && s.value(BYTES, "tunnel", Integer.toString(countPort), "direction", "out") == 5
                            && s.value(BYTES, "tunnel", "web.example.com", "direction", "out") == HTTP_ANSWER.length();
                });
                Scrape s = Scrape.of(admin);
                assertThat(s.value(BYTES, "tunnel", Integer.toString(echoPort), "name", "echo", "kind", "tcp", "direction", "in"))
                        .isEqualTo(1234);
                assertThat(s.value(BYTES, "tunnel", Integer.toString(echoPort), "name", "echo", "kind", "tcp", "direction", "out"))
                        .isEqualTo(1234);
                assertThat(s.value(BYTES, "tunnel", Integer.toString(countPort), "name", "count", "kind", "tcp", "direction", "in"))
                        .isEqualTo(70_000);
                assertThat(s.value(BYTES, "tunnel", Integer.toString(countPort), "name", "count", "kind", "tcp", "direction", "out"))
                        .isEqualTo(5);
                // In: the request as the relay forwarded it (with its X-Forwarded-* headers), byte for byte what the service read.
                assertThat(s.value(BYTES, "tunnel", "web.example.com", "name", "web", "kind", "http", "direction", "in"))
                        .isEqualTo(httpIn);
                assertThat(s.value(BYTES, "tunnel", "web.example.com", "name", "web", "kind", "http", "direction", "out"))
                        .isEqualTo(HTTP_ANSWER.length());
                assertThat(s.value(OPENED, "kind", "tcp")).isEqualTo(3);
                assertThat(s.value(OPENED, "kind", "http")).isEqualTo(1);
                assertThat(s.samples().stream().filter(x -> x.name().equals(BYTES))).hasSize(6);
            }

            // The client is gone and the grace period runs out: its tunnels are released, and so are their meters.
            int admin = relay.adminAddress().getPort();
            Await.until(Duration.ofSeconds(10), "released tunnels leave the scrape", () -> !scrape(admin).has(BYTES));
            Scrape after = Scrape.of(admin);
            assertThat(after.value(OPENED, "kind", "tcp")).isEqualTo(3); // a counter of the relay's life, not of a tunnel's
            assertThat(after.value("homeport_clients_connected")).isZero();
        }
    }

    private static Scrape scrape(int adminPort) {
        try {
            return Scrape.of(adminPort);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String httpGet(int port, String host) throws Exception {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** Reads a request head up to its blank line (no body: a GET); returns how many bytes that was. */
    private static long readHead(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("request head ended early: " + head);
            }
            head.write(b);
        }
        return head.size();
    }

    /** Counts and forgets. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
