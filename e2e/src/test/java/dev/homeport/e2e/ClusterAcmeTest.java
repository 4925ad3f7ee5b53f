package dev.homeport.e2e;

import com.sun.net.httpserver.HttpServer;
import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.cluster.ClusterCertificates;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.server.tls.acme.AcmeCertificates;
import dev.homeport.server.tls.acme.AcmeChallengeType;
import dev.homeport.server.tls.acme.AcmeSettings;
import dev.homeport.server.tunnel.HostName;
import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ACME in a cluster of three homeport-server processes on a real etcd, with Debian's pebble as the
 * CA. pebble resolves every name to 127.0.0.1, so its validation always reaches relay 1 (relays 2
 * and 3 listen on 127.0.0.2 and 127.0.0.3, same ports): a name bound through relay 2 can only be
 * issued if relay 1 serves the answer relay 2 published in etcd. Relay 3 then presents the
 * certificate relay 2 got, without ordering one itself. The race of two relays wanting one name at
 * once runs on the ACME parts of three relays in this JVM, on the same etcd and pebble.
 */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@RequiresProgram(value = "pebble", debianPackage = "pebble")
@RequiresProgram(value = "pebble-challtestsrv", debianPackage = "pebble")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterAcmeTest {
    private static final String TOKEN = "cluster-acme-test-token-0123456789";
    private static final String DOMAIN = "cluster.test";
    private static final Duration ISSUED_WITHIN = Duration.ofSeconds(60);
    private static final Pattern SERIAL = Pattern.compile("event=acme_certificate_(?:issued|renewed) host=(\\S+) serial=([0-9a-f]+)");
    private static final String ORDERS = "homeport_acme_orders_total";
    private static final String SHARED = "homeport_acme_certificates_shared_total";

    @TempDir
    static Path shared;
    private static EtcdCluster etcd;
    private static Pebble pebble;
    /** Every relay's ports from here: control, http, peer, 5 public ports, admin, https. */
    private static int base;

    @TempDir
    Path dir;
    private final List<AutoCloseable> teardown = new ArrayList<>();
    private final Map<Integer, CliProcess> relays = new ConcurrentHashMap<>();
    /** The meters of each ACME part started in this JVM. */
    private final Map<AcmeCertificates, SimpleMeterRegistry> meters = new ConcurrentHashMap<>();

    @BeforeAll
    static void startEtcdAndPebble() throws Exception {
        base = FreePorts.block(10);
        CompletableFuture<EtcdCluster> starting = CompletableFuture.supplyAsync(() -> {
            try {
                EtcdCluster e = EtcdCluster.start(1);
                e.awaitLeader();
                return e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        pebble = Pebble.start(shared.resolve("pebble"), base + 1, base + 9);
        etcd = starting.get(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopEtcdAndPebble() throws Exception {
        if (pebble != null) {
            pebble.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    /** Clients and services first, then the three relays at once (each stop waits for its process). */
    @AfterEach
    void stopAll() throws Exception {
        for (int i = teardown.size() - 1; i >= 0; i--) {
            teardown.get(i).close();
        }
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (CliProcess relay : relays.values()) {
            stopping.add(CompletableFuture.runAsync(() -> {
                try {
                    relay.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<Void> s : stopping) {
            s.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHostBoundOnRelay2IsIssuedByHttp01AnsweredOnRelay1AndRelay3PresentsItAndItsRenewalsWithoutOrdering() throws Exception {
        // Renew at every check, every 2 s: relay 3 must take each renewal from etcd while it runs.
        startCluster("http-01", "--acme-renew-fraction", "1", "--acme-check-interval", "2s");
        String host = "web." + DOMAIN;
        bindThroughRelay2("web");

        Await.until(ISSUED_WITHIN, "a certificate issued on relay 2", () -> !issuedSerials(host).isEmpty());
        assertThat(relays.get(1).stderr()).as("pebble's HTTP-01 check reached relay 1, which answered it from etcd")
                .anyMatch(l -> l.contains("event=acme_http01_answered host=" + host));
        assertThat(relays.get(2).stderr()).noneMatch(l -> l.contains("event=acme_http01_answered"));

        String first = awaitPresented(3, host);
        assertThat(issuedSerials(host)).as("relay 3 presents what relay 2 got").contains(first);
        assertThat(Files.readString(dir.resolve("relay-3/acme/certs/" + host + ".crt")))
                .as("kept in relay 3's own store for a restart without etcd").contains("BEGIN CERTIFICATE");

        Await.until(ISSUED_WITHIN, "a renewed certificate presented by relay 3", () -> {
            String now = presentedSerial(3, host);
            return now != null && !now.equals(first) && issuedSerials(host).contains(now);
        });
        Scrape relay2 = scrape(2);
        assertThat(relay2.value(ORDERS, "kind", "issue", "outcome", "success")).isEqualTo(1.0);
        assertThat(relay2.value(ORDERS, "kind", "renew", "outcome", "success")).isGreaterThanOrEqualTo(1.0);
        for (int n : new int[] {1, 3}) {
            Scrape s = scrape(n);
            assertThat(orders(s)).as("orders placed by relay " + n).isZero();
            assertThat(s.value(SHARED)).as("certificates relay " + n + " took from etcd").isGreaterThanOrEqualTo(2.0);
        }
    }

    @Test
    void aHostBoundOnRelay2IsIssuedByTlsAlpn01AnsweredOnRelay1AndRelay3PresentsIt() throws Exception {
        startCluster("tls-alpn-01");
        String host = "app." + DOMAIN;
        bindThroughRelay2("app");

        Await.until(ISSUED_WITHIN, "a certificate issued on relay 2", () -> !issuedSerials(host).isEmpty());
        String serial = issuedSerials(host).iterator().next();
        assertThat(awaitPresented(3, host)).isEqualTo(serial);
        assertThat(awaitPresented(1, host)).isEqualTo(serial);
        assertThat(scrape(2).value(ORDERS, "kind", "issue", "outcome", "success")).isEqualTo(1.0);
        for (int n : new int[] {1, 3}) {
            assertThat(orders(scrape(n))).as("orders placed by relay " + n).isZero();
            assertThat(scrape(n).value(SHARED)).isEqualTo(1.0);
        }
    }

    @Test
    void twoRelaysWantingOneNameAtOnceOrderItOnceAndBothPresentIt() throws Exception {
        // In this JVM: relays 2 and 3 (their ACME parts) race for one name; relay 1 only answers.
        String host = "race." + DOMAIN;
        Map<Integer, AcmeCertificates> acme = acmeParts(3, Duration.ofSeconds(15));

        CompletableFuture<Boolean> onRelay2 = acme.get(2).hostBound(host);
        CompletableFuture<Boolean> onRelay3 = acme.get(3).hostBound(host);
        assertThat(onRelay2.get(60, TimeUnit.SECONDS)).as("relay 2 holds a certificate").isTrue();
        assertThat(onRelay3.get(60, TimeUnit.SECONDS)).as("relay 3 holds a certificate").isTrue();

        assertThat(orders(acme.values())).as("orders placed by the three relays").isEqualTo(1.0);
        assertThat(acme.get(3).expiries()).isEqualTo(acme.get(2).expiries()).containsKey(host);
        Await.until(Duration.ofSeconds(5), "relay 1, which never wanted it, following it",
                () -> acme.get(1).expiries().equals(acme.get(2).expiries()));
    }

    @Test
    void whileEtcdIsDownNoOrderIsPlacedAndOnceItIsBackTheNameIsOrderedAndShared() throws Exception {
        String host = "late." + DOMAIN;
        Map<Integer, AcmeCertificates> acme = acmeParts(2, Duration.ofSeconds(2));
        etcd.kill(0);
        try {
            // Without the lock no order: the bind is told there is no certificate, and the CA saw nothing.
            assertThat(acme.get(2).hostBound(host).get(30, TimeUnit.SECONDS)).isFalse();
            assertThat(orders(acme.values())).isZero();
        } finally {
            etcd.restart(0);
            etcd.awaitLeader();
        }
        Await.until(ISSUED_WITHIN, "the name ordered once etcd is back, and followed by relay 1",
                () -> acme.get(2).forHostname(host) != null && acme.get(1).expiries().containsKey(host));
        // A first check may still fail while relay 1's watch reconnects; one order succeeded, on relay 2.
        assertThat(meters.get(acme.get(2)).find("homeport.acme.orders").tag("outcome", "success").counters().stream()
                .mapToDouble(Counter::count).sum()).isEqualTo(1.0);
    }

    // ---- the cluster ----

    private void startCluster(String challenge, String... more) throws Exception {
        Files.writeString(dir.resolve("peer-secret"), "a-cluster-secret-for-the-cluster-acme-test\n");
        String prefix = "/cluster-acme-" + UUID.randomUUID() + "/";
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            int relay = n;
            starting.add(CompletableFuture.runAsync(() -> startRelay(relay, prefix, challenge, more)));
        }
        for (CompletableFuture<Void> s : starting) {
            s.get(90, TimeUnit.SECONDS);
        }
    }

    private void startRelay(int n, String prefix, String challenge, String... more) {
        String host = host(n);
        List<String> args = new ArrayList<>(List.of(
                "--control", host + ":" + base, "--http", host + ":" + (base + 1), "--https", host + ":" + (base + 9),
                "--ports", (base + 3) + "-" + (base + 7), "--bind-address", host, "--domain", DOMAIN,
                "--admin", host + ":" + (base + 8), "--insecure-plaintext", "--token", TOKEN,
                "--state-dir", dir.resolve("relay-" + n).toString(),
                "--reconnect-grace", "5s", "--shutdown-grace", "1s",
                "--relay-id", "relay-" + n, "--peer-address", host + ":" + (base + 2),
                "--peer-secret-file", dir.resolve("peer-secret").toString(),
                "--etcd", etcd.endpoints().stream().map(URI::toString).collect(Collectors.joining(",")),
                // A fresh JVM's first etcd call can take seconds while three relays start on two busy cores.
                "--etcd-prefix", prefix, "--registry-ttl", "3s", "--registry-timeout", "15s",
                "--acme", "--acme-directory", pebble.directory().toString(), "--acme-trust-ca", pebble.httpsCertificate().toString(),
                "--acme-challenge", challenge, "--acme-retry-min", "1s", "--acme-retry-max", "2s"));
        args.addAll(List.of(more));
        try {
            CliProcess relay = CliProcess.server(dir, args.toArray(String[]::new));
            relays.put(n, relay); // stopped by stopAll, even if it never says it listens
            relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void bindThroughRelay2(String name) throws Exception {
        HttpEchoService web = HttpEchoService.start(name);
        teardown.add(web);
        CliProcess client = CliProcess.homeport(dir, "http", Integer.toString(web.port()), "--name", name,
                "--hostname", name, "--server", "tcp://" + host(2) + ":" + base, "--token", TOKEN, "--insecure-plaintext",
                "--state-dir", dir.resolve("client-" + name).toString());
        teardown.add(client);
        client.awaitStdout(1, l -> l.contains(name + "." + DOMAIN), CliProcess.START_TIMEOUT);
    }

    private static String host(int n) {
        return "127.0.0." + n;
    }

    /** The serials relay 2 logged for {@code host}'s certificates, first and renewed. */
    private Set<String> issuedSerials(String host) {
        return relays.get(2).stderr().stream().map(SERIAL::matcher).filter(Matcher::find)
                .filter(m -> m.group(1).equals(host)).map(m -> m.group(2)).collect(Collectors.toSet());
    }

    private Scrape scrape(int relay) throws Exception {
        return Scrape.of(host(relay), base + 8);
    }

    private static double orders(Scrape s) {
        return s.samples().stream().filter(x -> x.name().equals(ORDERS)).mapToDouble(Scrape.Sample::value).sum();
    }

    // ---- relays' ACME parts in this JVM ----

    /**
     * The ACME parts of relays 1 to {@code count}, each on its own connection to etcd under a fresh
     * prefix, with pebble's HTTP-01 port answered from relay 1's challenges (what it followed in etcd):
     * relay 1 never orders, so every answer pebble gets was published by another relay.
     */
    private Map<Integer, AcmeCertificates> acmeParts(int count, Duration callTimeout) throws Exception {
        RegistryOptions options = RegistryOptions.of(etcd.endpoints()).withPrefix("/cluster-acme-" + UUID.randomUUID() + "/")
                .withCallTimeout(callTimeout);
        Map<Integer, AcmeCertificates> acme = new ConcurrentHashMap<>();
        for (int n = 1; n <= count; n++) {
            ClusterCertificates cluster = ClaimRegistryProvider.find("etcd").openCertificates(options, "relay-" + n, Duration.ofSeconds(3));
            teardown.add(cluster);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            acme.put(n, AcmeCertificates.start(AcmeSettings.of(pebble.directory(), "", dir.resolve("relay-" + n))
                    .withChallenge(AcmeChallengeType.HTTP_01).withTrustCa(pebble.httpsCertificate())
                    .withPolling(Duration.ofMillis(100), Duration.ofSeconds(20))
                    .withRetry(Duration.ofMillis(500), Duration.ofSeconds(2)), true, registry, cluster));
            meters.put(acme.get(n), registry);
            teardown.add(acme.get(n)); // closed before its connection (teardown runs backwards)
        }
        HttpServer relay1 = HttpServer.create(new InetSocketAddress("127.0.0.1", base + 1), 16);
        relay1.createContext("/.well-known/acme-challenge/", exchange -> {
            String token = exchange.getRequestURI().getPath().substring("/.well-known/acme-challenge/".length());
            String answer = acme.get(1).pendingChallenges().httpAnswer(
                    HostName.fromHostHeader(exchange.getRequestHeaders().getFirst("Host")), token);
            byte[] body = answer == null ? new byte[0] : answer.getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(answer == null ? 404 : 200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        relay1.start();
        teardown.add(() -> relay1.stop(0));
        return acme;
    }

    /** Every ACME order the relays placed, by any kind and outcome. */
    private double orders(Collection<AcmeCertificates> relays) {
        return relays.stream().mapToDouble(a -> meters.get(a).find("homeport.acme.orders").counters().stream()
                .mapToDouble(Counter::count).sum()).sum();
    }

    // ---- the public side ----

    /** Waits until relay {@code relay} presents a certificate for {@code host} that verifies to pebble's root; its serial. */
    private String awaitPresented(int relay, String host) {
        String[] serial = new String[1];
        try {
            Await.until(ISSUED_WITHIN, "a verified certificate for " + host + " on relay " + relay, () -> {
                serial[0] = presentedSerial(relay, host);
                return serial[0] != null;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nrelay " + relay + ": " + relays.get(relay).describe(), e);
        }
        return serial[0];
    }

    /**
     * The serial (hex) of the certificate relay {@code relay}'s HTTPS port presents for SNI {@code host}
     * to a client that trusts pebble's root and checks the name, as a browser does; {@code null} if
     * the handshake fails (no certificate yet).
     */
    private static String presentedSerial(int relay, String host) {
        try (SSLSocket tls = (SSLSocket) Pebble.trusting(pebble.root()).getSocketFactory().createSocket(host(relay), base + 9)) {
            SSLParameters p = tls.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            p.setServerNames(List.of(new SNIHostName(host)));
            tls.setSSLParameters(p);
            tls.setSoTimeout(10_000);
            tls.startHandshake();
            return ((X509Certificate) tls.getSession().getPeerCertificates()[0]).getSerialNumber().toString(16);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
