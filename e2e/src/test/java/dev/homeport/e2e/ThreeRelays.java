package dev.homeport.e2e;

import dev.homeport.testsupport.etcd.EtcdCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * Three homeport-server processes of one cluster on a real etcd ({@code --etcd}, {@code --peer-address}),
 * relay n on 127.0.0.n with the same ports as the others, under an etcd prefix of their own: the
 * product as an operator runs it. Each serves HTTP and HTTPS with one wildcard certificate for
 * {@code *.cluster.test} from a CA made for the test. The etcd is a test class's {@link Etcd}.
 */
final class ThreeRelays implements AutoCloseable {
    static final String TOKEN = "relay-cluster-test-token-0123456789";
    static final String DOMAIN = "cluster.test";

    private final Path dir;
    private final EtcdCluster etcd;
    private final String prefix = "/cluster-test-" + UUID.randomUUID() + "/";
    private final Map<Integer, CliProcess> relays = new ConcurrentHashMap<>();
    private final int base = FreePorts.block(10);
    private final TestCa ca;
    private final TestCa.Issued wildcard;

    private ThreeRelays(Path dir, EtcdCluster etcd) throws Exception {
        this.dir = dir;
        this.etcd = etcd;
        this.ca = TestCa.create("Cluster test CA", dir);
        this.wildcard = ca.issue("*." + DOMAIN);
        Files.writeString(dir.resolve("peer-secret"), "a-cluster-secret-for-the-relay-cluster-test\n");
    }

    /** Starts the three relays at once (they share two cores with etcd) and returns when all three listen. */
    static ThreeRelays start(Path dir, EtcdCluster etcd) throws Exception {
        ThreeRelays cluster = new ThreeRelays(dir, etcd);
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            int relay = n;
            starting.add(CompletableFuture.runAsync(() -> cluster.relays.put(relay, cluster.startRelay(relay))));
        }
        try {
            starting.forEach(CompletableFuture::join);
        } catch (CompletionException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * A three-member etcd for one test class, started before its first test and stopped after its last, so that
     * its tests' relays share it: {@code @RegisterExtension static final ThreeRelays.Etcd etcd = new ThreeRelays.Etcd();}.
     * Each {@link ThreeRelays} keeps to a prefix of its own in it.
     */
    static final class Etcd implements BeforeAllCallback, AfterAllCallback {
        private EtcdCluster cluster;

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            cluster = EtcdCluster.start(3);
            cluster.awaitLeader();
        }

        @Override
        public void afterAll(ExtensionContext context) throws Exception {
            if (cluster != null) {
                cluster.close();
            }
        }

        /** The running cluster, for tests that kill or restart a member. */
        EtcdCluster cluster() {
            if (cluster == null) {
                throw new IllegalStateException("etcd is not running: register ThreeRelays.Etcd as a static extension");
            }
            return cluster;
        }
    }

    CliProcess relay(int n) {
        return relays.get(n);
    }

    static String host(int n) {
        return "127.0.0." + n;
    }

    /** The control address clients of relay {@code n} give as {@code --server}. */
    String control(int n) {
        return "tcp://" + host(n) + ":" + base;
    }

    InetSocketAddress http(int n) {
        return new InetSocketAddress(host(n), base + 1);
    }

    int adminPort() {
        return base + 8;
    }

    InetSocketAddress https(int n) {
        return new InetSocketAddress(host(n), base + 9);
    }

    /** The CA of the relays' certificate: what a public HTTPS client trusts. */
    TestCa ca() {
        return ca;
    }

    private CliProcess startRelay(int n) {
        String host = host(n);
        List<String> args = new ArrayList<>(List.of(
                "--control", host + ":" + base, "--http", host + ":" + http(n).getPort(),
                "--https", host + ":" + https(n).getPort(),
                "--https-cert", wildcard.certificateFile().toString(), "--https-key", wildcard.keyFile().toString(),
                "--ports", (base + 3) + "-" + (base + 7), "--bind-address", host, "--domain", DOMAIN,
                "--admin", host + ":" + adminPort(), "--insecure-plaintext", "--token", TOKEN,
                "--state-dir", dir.resolve("relay-" + n).toString(),
                "--reconnect-grace", "5s", "--shutdown-grace", "1s", "--ping-interval", "500ms", "--keepalive-timeout", "2s",
                "--relay-id", "relay-" + n, "--peer-address", host + ":" + (base + 2),
                "--peer-secret-file", dir.resolve("peer-secret").toString(),
                "--etcd", etcd.endpoints().stream().map(URI::toString).collect(Collectors.joining(",")),
                "--etcd-prefix", prefix, "--registry-ttl", "3s"));
        CliProcess relay = null;
        boolean listening = false;
        try {
            relay = CliProcess.server(dir, args.toArray(String[]::new));
            relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);
            listening = true;
            return relay;
        } catch (IOException e) {
            throw new IllegalStateException("relay " + n + " did not start", e);
        } finally {
            if (relay != null && !listening) {
                stop(relay);
            }
        }
    }

    /**
     * Stops every relay that started, in parallel: each waits for its shutdown grace. Throws the first relay's
     * failure (a leak it reported), after all three stopped.
     */
    @Override
    public void close() {
        List<CompletableFuture<Void>> stopping = relays.values().stream()
                .map(r -> CompletableFuture.runAsync(() -> stop(r))).toList();
        AssertionError first = null;
        for (CompletableFuture<Void> f : stopping) {
            try {
                f.join();
            } catch (CompletionException e) {
                AssertionError failure = e.getCause() instanceof AssertionError a ? a : new AssertionError(e.getCause());
                if (first == null) {
                    first = failure;
                } else {
                    first.addSuppressed(failure);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void stop(CliProcess relay) {
        try {
            relay.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
