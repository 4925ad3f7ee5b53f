package dev.homeport.e2e;

import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP hosts and HTTPS across the three relay processes of {@link ThreeRelays}: a client bound on
 * relay 2 serves a checksummed 16 MiB each way through the public HTTP port of relays 1, 2 and 3 (by
 * Host header), through their HTTPS port with TLS ended at the relay (by SNI, with the relays'
 * certificate), and through their HTTPS port passed through to a home service holding its own
 * certificate. Relays 1 and 3 forward over their peer link to relay 2; relay 2 serves locally.
 */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RelayClusterHttpTest {
    private static final int MIB_16 = 16 * 1024 * 1024;
    /** Two hops and 16 MiB on two shared cores with the leak detector on: generous, and never a measurement. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    @RegisterExtension
    static final ThreeRelays.Etcd etcd = new ThreeRelays.Etcd();

    @TempDir
    Path dir;

    @RegisterExtension
    final Teardown teardown = new Teardown();
    /** Numbers the clients' state directories. */
    private int clients;
    private ThreeRelays relays;

    @BeforeEach
    void startRelays() throws Exception {
        relays = teardown(ThreeRelays.start(dir, etcd.cluster()));
    }

    @Test
    void anHttpHostBoundOnRelay2ServesAChecksummed16MiBEachWayThroughTheHttpPortOfRelays1And2And3() throws Exception {
        HttpEchoService web = teardown(HttpEchoService.start("web"));
        // --no-https-only: the relays hold a certificate for the name, and would otherwise redirect plain HTTP.
        awaitUrl(homeport("http", web.port(), "--hostname", "web", "--no-https-only"), "https://web." + ThreeRelays.DOMAIN + ":");
        String host = "web." + ThreeRelays.DOMAIN;
        for (int n : new int[] {1, 3, 2}) {
            int relay = n;
            Await.until(Duration.ofSeconds(10), host + " served through the HTTP port of relay " + n,
                    () -> statusOverHttp(relay, host) == 200);
            double[] before = peerTraffic(n);
            try (RawHttp http = new RawHttp(relays.http(n)).readTimeout(READ_TIMEOUT)) {
                move16MiBEachWay(http, host, 20 + n);
            }
            assertThat(web.lastHead()).as("through relay " + n).contains("x-forwarded-proto: http\n");
            assertForwardedOverThePeerLinkUnlessLocal(n, before);
        }
    }

    @Test
    void anHttpsHostBoundOnRelay2ServesAChecksummed16MiBEachWayThroughTheHttpsPortOfRelays1And2And3WithTlsEndedThere()
            throws Exception {
        HttpEchoService web = teardown(HttpEchoService.start("secure"));
        String host = "secure." + ThreeRelays.DOMAIN;
        awaitUrl(homeport("http", web.port(), "--hostname", "secure"), "https://" + host + ":" + relays.https(2).getPort());
        for (int n : new int[] {1, 3, 2}) {
            int relay = n;
            Await.until(Duration.ofSeconds(10), host + " served through the HTTPS port of relay " + n,
                    () -> statusOverHttps(relay, host) == 200);
            double[] before = peerTraffic(n);
            try (SSLSocket s = tls(relays.https(n), host, relays.ca().clientContext());
                 RawHttp https = new RawHttp(s).readTimeout(READ_TIMEOUT)) {
                move16MiBEachWay(https, host, 30 + n);
            }
            assertThat(web.lastHead()).as("through relay " + n).contains("x-forwarded-proto: https\n");
            assertForwardedOverThePeerLinkUnlessLocal(n, before);
            // HTTPS only (the default): the relay where plain HTTP arrives sends it to its own HTTPS port.
            try (RawHttp plain = new RawHttp(relays.http(n))) {
                RawHttp.Response r = plain.send(RawHttp.get(host, "/x")).read();
                assertThat(r.status()).as("plain HTTP through relay " + n).isEqualTo(308);
                assertThat(r.header("location")).isEqualTo("https://" + host + ":" + relays.https(n).getPort() + "/x");
            }
        }
    }

    @Test
    void aTlsTunnelBoundOnRelay2PassesAChecksummed16MiBEachWayThroughTheHttpsPortOfRelays1And2And3() throws Exception {
        TestCa home = TestCa.create("Home CA", dir);
        String host = "nas." + ThreeRelays.DOMAIN;
        TestCa.Issued nasCertificate = home.issue(host);
        TlsEchoService nas = teardown(TlsEchoService.start(nasCertificate));
        SSLContext trustingHome = home.clientContext();
        awaitUrl(homeport("tls", nas.port(), "--hostname", "nas"), "tls://" + host + ":" + relays.https(2).getPort());
        for (int n : new int[] {1, 3, 2}) {
            int relay = n;
            // Until relay n has watched the route it ends TLS itself, with a certificate the home CA did not sign.
            Await.until(Duration.ofSeconds(10), host + " passed through the HTTPS port of relay " + n,
                    () -> handshakes(relays.https(relay), host, trustingHome));
            double[] before = peerTraffic(n);
            try (SSLSocket s = tls(relays.https(n), host, trustingHome)) {
                // The relays' own certificate also covers the name: the home service's is the one seen, so no relay ended TLS.
                assertThat((X509Certificate) s.getSession().getPeerCertificates()[0]).isEqualTo(nasCertificate.certificate());
                Payload.Transfer[] both = echo16MiB(s, 40 + n);
                assertThat(both[1]).as("through relay " + n).isEqualTo(both[0]);
                assertThat(both[1].bytes()).isEqualTo(MIB_16);
            }
            assertForwardedOverThePeerLinkUnlessLocal(n, before);
        }
    }

    // ---- the home side ----

    /** A homeport client of relay 2 alone: {@code homeport KIND LOCAL_PORT ... --server relay 2}. */
    private CliProcess homeport(String kind, int localPort, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of(kind, Integer.toString(localPort), "--server", relays.control(2),
                "--token", ThreeRelays.TOKEN, "--insecure-plaintext",
                "--state-dir", dir.resolve("client-" + kind + "-" + ++clients).toString()));
        args.addAll(List.of(more));
        return teardown(CliProcess.homeport(dir, args.toArray(String[]::new)));
    }

    private static void awaitUrl(CliProcess client, String prefix) {
        assertThat(client.awaitStdout(1, l -> l.startsWith(prefix), CliProcess.START_TIMEOUT)).isNotEmpty();
    }

    private <T extends AutoCloseable> T teardown(T closeable) {
        return teardown.add(closeable);
    }

    // ---- the public side ----

    /**
     * POSTs 16 MiB to the service's payload route over {@code http} and reads its 16 MiB answer: the
     * service's digest of what it received must be the digest of what was sent, and the digest of
     * what arrived the service's digest of what it sent.
     */
    private static void move16MiBEachWay(RawHttp http, String host, long seed) throws IOException {
        http.send("POST " + HttpEchoService.PAYLOAD_PATH + MIB_16 + "/" + seed + " HTTP/1.1\r\nHost: " + host
                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + MIB_16 + "\r\n\r\n");
        Payload.Transfer uploaded = Payload.write(http.output(), seed * 31, MIB_16);
        RawHttp.Response head = http.readHead();
        assertThat(head.status()).isEqualTo(200);
        assertThat(new Payload.Transfer(Long.parseLong(head.header(HttpEchoService.RECEIVED_BYTES)),
                head.header(HttpEchoService.RECEIVED_SHA256))).as("what the service received").isEqualTo(uploaded);
        assertThat(head.header("content-length")).isEqualTo(Integer.toString(MIB_16));
        Payload.Transfer downloaded = Payload.read(http.input(), MIB_16);
        assertThat(downloaded).as("what the public client received")
                .isEqualTo(new Payload.Transfer(MIB_16, head.header(HttpEchoService.SENT_SHA256)));
    }

    /** 16 MiB up through an echoing service and the 16 MiB that come back, at once: {sent, received}. */
    private static Payload.Transfer[] echo16MiB(SSLSocket s, long seed) throws Exception {
        CompletableFuture<Payload.Transfer> sent = CompletableFuture.supplyAsync(() -> {
            try {
                return Payload.write(s.getOutputStream(), seed, MIB_16);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        // An echo never ends its side first: read as many bytes as were sent, not to the end of the stream.
        Payload.Transfer received = Payload.read(s.getInputStream(), MIB_16);
        return new Payload.Transfer[] {sent.get(60, TimeUnit.SECONDS), received};
    }

    private int statusOverHttp(int relay, String host) {
        try (RawHttp http = new RawHttp(relays.http(relay))) {
            return http.send(RawHttp.get(host, "/", "Connection: close")).read().status();
        } catch (IOException e) {
            return -1;
        }
    }

    private int statusOverHttps(int relay, String host) {
        try (SSLSocket s = tls(relays.https(relay), host, relays.ca().clientContext()); RawHttp https = new RawHttp(s)) {
            return https.send(RawHttp.get(host, "/", "Connection: close")).read().status();
        } catch (Exception e) {
            return -1;
        }
    }

    private static boolean handshakes(InetSocketAddress target, String serverName, SSLContext context) {
        try {
            tls(target, serverName, context).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A TLS connection that sends {@code serverName} as SNI and checks the certificate against it, as
     * a browser does.
     */
    private static SSLSocket tls(InetSocketAddress target, String serverName, SSLContext context) throws IOException {
        Socket raw = new Socket();
        raw.connect(target, 5_000);
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(raw, serverName, target.getPort(), true);
        SSLParameters parameters = s.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(parameters);
        s.setSoTimeout((int) READ_TIMEOUT.toMillis());
        try {
            s.startHandshake();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    // ---- the relays' side ----

    /** Relays 1 and 3 carried the 16 MiB each way over their peer link; relay 2, which holds the client, nothing. */
    private void assertForwardedOverThePeerLinkUnlessLocal(int relay, double[] before) throws Exception {
        double[] after = peerTraffic(relay);
        double toPeer = after[0] - before[0];
        double fromPeer = after[1] - before[1];
        if (relay == 2) {
            assertThat(toPeer + fromPeer).as("relay 2 serves its own client").isZero();
        } else {
            assertThat(toPeer).as("relay " + relay + " to relay 2").isGreaterThanOrEqualTo(MIB_16);
            assertThat(fromPeer).as("relay " + relay + " from relay 2").isGreaterThanOrEqualTo(MIB_16);
        }
    }

    /** Bytes of forwarded public connections relay {@code relay} sent to its peers and got from them: {to, from}. */
    private double[] peerTraffic(int relay) throws Exception {
        Scrape metrics = Scrape.of(ThreeRelays.host(relay), relays.adminPort());
        double[] traffic = new double[2];
        String[] directions = {"to_peer", "from_peer"};
        for (int i = 0; i < 2; i++) {
            double v = metrics.value("homeport_peer_traffic_bytes_total", "direction", directions[i]);
            traffic[i] = Double.isNaN(v) ? 0 : v;
        }
        return traffic;
    }
}
