package dev.homeport.e2e;

import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three homeport-server processes joined by a real three-member etcd on loopback ({@link ThreeRelays}),
 * and real homeport client processes: the product as an operator runs it. The routes the relays
 * forward by come from etcd's watch, nothing is filled in by hand. HTTP and HTTPS across the
 * relays: {@link RelayClusterHttpTest}.
 */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RelayClusterTest {
    private static final String TOKEN = ThreeRelays.TOKEN;
    private static final int MIB_16 = 16 * 1024 * 1024;
    private static final Pattern CONNECTED = Pattern.compile("event=connected relay=\"?([0-9.]+):\\d+");
    @RegisterExtension
    static final ThreeRelays.Etcd etcd = new ThreeRelays.Etcd();

    @TempDir
    Path dir;

    @RegisterExtension
    final Teardown teardown = new Teardown();
    /** Numbers the clients' state directories. */
    private int clients;
    private ThreeRelays relays;
    private LocalService echo;

    @BeforeEach
    void startRelays() throws Exception {
        echo = teardown(LocalService.echo(0));
        relays = teardown(ThreeRelays.start(dir, etcd.cluster()));
    }

    @Test
    void aTunnelBoundOnRelay2ServesAChecksummed16MiBEachWayThroughTheTcpPortOfRelays1And2And3() throws Exception {
        CliProcess client = client("echo", "--server", control(2));
        int port = publicPort(client);
        for (int n = 1; n <= 3; n++) {
            awaitServed(n, port, Duration.ofSeconds(10));
            Payload.Transfer[] both = roundTrip16MiB(n, port);
            assertThat(both[1]).as("through relay " + n).isEqualTo(both[0]);
            assertThat(both[1].bytes()).isEqualTo(MIB_16);
        }
        // The dashboard's cluster panels query what a clustered relay really exports (DashboardMetricsTest: the rest).
        Set<String> scraped = new TreeSet<>(Scrape.of(host(1), relays.adminPort()).names());
        scraped.addAll(Scrape.of(host(2), relays.adminPort()).names());
        assertThat(scraped).containsAll(DashboardMetricsTest.referencedMetrics().stream()
                .filter(DashboardMetricsTest::clusterMetric).toList());
        assertThat(health(2)).contains("\"registry\":\"ok\"");
    }

    /** The relay's /health body. */
    private String health(int relay) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + host(relay) + ":" + relays.adminPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void killMinus9OfTheRelayHoldingTheClientServesTheSamePortAgainThroughTheSurvivors() throws Exception {
        CliProcess client = client("echo", "--server", control(1) + "," + control(2) + "," + control(3),
                "--keepalive-timeout", "2s", "--ping-interval", "500ms", "--max-backoff", "500ms");
        int port = publicPort(client);
        int holder = holderOf(client);
        int survivor = holder % 3 + 1;
        awaitServed(survivor, port, Duration.ofSeconds(10));
        // One stream through a survivor, crossing the holder: it may be cut, and must end on both sides.
        Socket crossing = connect(survivor, port);
        crossing.getOutputStream().write("before".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(crossing.getInputStream().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("before");
        int connectionsBefore = echo.accepted();

        long killed = System.nanoTime();
        relays.relay(holder).kill();
        long[] reboundAt = new long[1];
        Await.until(Duration.ofSeconds(20), "the client on another relay", () -> {
            int now = holderOf(client, 2);
            if (now != 0 && now != holder && reboundAt[0] == 0) {
                reboundAt[0] = System.nanoTime();
            }
            return reboundAt[0] != 0;
        });
        for (int n = 1; n <= 3; n++) {
            if (n != holder) {
                awaitServed(n, port, Duration.ofSeconds(20));
            }
        }
        long servedAt = System.nanoTime();
        int lostBytes = readsToEnd(crossing);
        crossing.close();
        System.out.printf("cluster failover: relay %d killed; client bound again after %d ms, port %d served through both "
                        + "survivors after %d ms; the stream that crossed the dead relay ended with %d bytes in flight lost%n",
                holder, (reboundAt[0] - killed) / 1_000_000, port, (servedAt - killed) / 1_000_000, lostBytes);
        assertThat(publicPortOf(client.stdout())).as("the same public address").containsOnly(port);
        assertThat(echo.accepted()).isGreaterThan(connectionsBefore);
    }

    @Test
    void aClientRestartedAgainstAnotherRelayWithinTheGraceKeepsItsPortAndTheFirstRelayForwardsIt() throws Exception {
        Path state = dir.resolve("moving-client");
        CliProcess first = teardown(CliProcess.homeport(dir, "tcp", Integer.toString(echo.port()), "--name", "moving",
                "--token", TOKEN, "--insecure-plaintext", "--state-dir", state.toString(), "--server", control(1)));
        int port = publicPort(first);
        awaitServed(1, port, Duration.ofSeconds(10));
        first.kill();
        // Relay 1 still holds the port for the token (the grace); the client comes back through relay 2.
        CliProcess second = teardown(CliProcess.homeport(dir, "tcp", Integer.toString(echo.port()), "--name", "moving",
                "--token", TOKEN, "--insecure-plaintext", "--state-dir", state.toString(), "--server", control(2)));
        assertThat(publicPort(second)).as("the remembered port, reclaimed in etcd").isEqualTo(port);
        try {
            for (int n : new int[] {2, 1, 3}) {
                awaitServed(n, port, Duration.ofSeconds(10));
            }
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nrelay 1: " + relays.relay(1).describe(), e);
        }
        assertThat(relays.relay(1).stderr()).anyMatch(l -> l.contains("event=tunnel_superseded") && l.contains("port=" + port));
    }

    @Test
    void killMinus9OfTheEtcdLeaderDropsNoSessionAndLosesNoClaim() throws Exception {
        CliProcess client = client("echo", "--server", control(2));
        int port = publicPort(client);
        awaitServed(1, port, Duration.ofSeconds(10));
        int leader = etcd.cluster().leader();
        etcd.cluster().kill(leader);
        try {
            etcd.cluster().awaitLeader();
            // A new claim works with the new leader, through another relay.
            CliProcess second = client("second", "--server", control(3));
            int secondPort = publicPort(second);
            awaitServed(1, secondPort, Duration.ofSeconds(15));
            for (int n = 1; n <= 3; n++) {
                awaitServed(n, port, Duration.ofSeconds(15));
            }
            assertThat(client.stderr().stream().filter(l -> l.contains("event=connected")).count())
                    .as("the first client never reconnected").isEqualTo(1);
        } finally {
            etcd.cluster().restart(leader);
        }
    }

    @Test
    void aPoolOfTwoClientsOnOnePortKeepsServingWhenOneIsKilled() throws Exception {
        CliProcess first = client("pooled", "--server", control(1), "--pool");
        int port = publicPort(first);
        CliProcess second = client("pooled", "--server", control(3), "--pool", "--remote-port", Integer.toString(port));
        assertThat(publicPort(second)).isEqualTo(port);
        awaitServed(2, port, Duration.ofSeconds(10));
        first.kill();
        for (int i = 0; i < 10; i++) {
            for (int n = 1; n <= 3; n++) {
                awaitServed(n, port, Duration.ofSeconds(15));
            }
        }
    }

    // ---- the cluster ----

    private static String host(int n) {
        return ThreeRelays.host(n);
    }

    private String control(int n) {
        return relays.control(n);
    }

    private CliProcess client(String name, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("tcp", Integer.toString(echo.port()), "--name", name, "--token", TOKEN,
                "--insecure-plaintext", "--state-dir", dir.resolve("client-" + name + "-" + ++clients).toString()));
        args.addAll(List.of(more));
        return teardown(CliProcess.homeport(dir, args.toArray(String[]::new)));
    }

    private <T extends AutoCloseable> T teardown(T closeable) {
        return teardown.add(closeable);
    }

    /** The public port the client printed first. */
    private static int publicPort(CliProcess client) {
        String address = client.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0).trim();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1).split("\\s")[0]);
    }

    private static List<Integer> publicPortOf(List<String> stdout) {
        return stdout.stream().filter(l -> l.startsWith("tcp://")).map(String::trim)
                .map(a -> Integer.parseInt(a.substring(a.lastIndexOf(':') + 1).split("\\s")[0])).distinct().toList();
    }

    /** The relay (1-3) the client connected to last, from its log. */
    private static int holderOf(CliProcess client) {
        Await.until(Duration.ofSeconds(10), "the client's connected line", () -> holderOf(client, 1) != 0);
        return holderOf(client, 1);
    }

    /** The relay of the client's {@code nth}-or-later connected line, or 0 before there are that many. */
    private static int holderOf(CliProcess client, int nth) {
        List<String> lines = client.stderr().stream().filter(l -> l.contains("event=connected")).toList();
        if (lines.size() < nth) {
            return 0;
        }
        Matcher m = CONNECTED.matcher(lines.get(lines.size() - 1));
        return m.find() ? Integer.parseInt(m.group(1).substring(m.group(1).lastIndexOf('.') + 1)) : 0;
    }

    // ---- the public side ----

    private Socket connect(int relay, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host(relay), port), 5_000);
        s.setSoTimeout(30_000);
        return s;
    }

    /** Waits until a short echo comes back through relay {@code relay}'s public port. */
    private void awaitServed(int relay, int port, Duration timeout) {
        Await.until(timeout, "port " + port + " served through relay " + relay, () -> {
            try (Socket s = connect(relay, port)) {
                s.setSoTimeout(3_000);
                OutputStream out = s.getOutputStream();
                out.write("ping".getBytes(StandardCharsets.US_ASCII));
                return "ping".equals(new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** 16 MiB up and the echo back down at once: {sent, received}. */
    private Payload.Transfer[] roundTrip16MiB(int relay, int port) throws Exception {
        try (Socket s = connect(relay, port)) {
            CompletableFuture<Payload.Transfer> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    Payload.Transfer t = Payload.write(s.getOutputStream(), 11 + relay, MIB_16);
                    s.shutdownOutput();
                    return t;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Payload.Transfer received = Payload.readToEnd(s.getInputStream());
            return new Payload.Transfer[] {sent.get(60, TimeUnit.SECONDS), received};
        }
    }

    /** Bytes read until the connection ends; a reset ends it too. */
    private static int readsToEnd(Socket s) {
        int total = 0;
        try {
            s.setSoTimeout(20_000);
            InputStream in = s.getInputStream();
            for (int n; (n = in.read(new byte[4096])) >= 0; ) {
                total += n;
            }
        } catch (IOException reset) {
            // a reset is an end too
        }
        return total;
    }
}
