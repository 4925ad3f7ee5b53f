package dev.homeport.testsupport.etcd;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code etcd} member started by a test on loopback ports, with its data and log under a
 * directory of the test's. It can be killed with SIGKILL and started again on the same data, as a
 * crashed member comes back. Asks etcd about itself over its HTTP gateway ({@code /health},
 * {@code /v3/maintenance/status}), so no etcdctl is needed.
 */
public final class EtcdProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\":\"(\\d+)\"");
    private static final Pattern LEADER = Pattern.compile("\"leader\":\"(\\d+)\"");

    private final Path etcd;
    private final String name;
    private final int clientPort;
    private final int peerPort;
    private final int metricsPort;
    private final Path dir;
    private final String initialCluster;
    private final EtcdTls tls;
    private Process process;

    /** @param tls TLS on the client port, or {@code null} for plain HTTP */
    EtcdProcess(Path etcd, String name, int[] ports, Path dir, String initialCluster, EtcdTls tls) {
        this.etcd = etcd;
        this.name = name;
        this.clientPort = ports[0];
        this.peerPort = ports[1];
        this.metricsPort = ports[2];
        this.dir = dir;
        this.initialCluster = initialCluster;
        this.tls = tls;
    }

    public String name() {
        return name;
    }

    public URI clientUrl() {
        return URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + clientPort);
    }

    /** Plain HTTP even when the client port has TLS, so {@link #healthy} needs no certificate. */
    private URI metricsUrl() {
        return URI.create("http://127.0.0.1:" + metricsPort);
    }

    String peerUrl() {
        return "http://127.0.0.1:" + peerPort;
    }

    /** Starts the member (again, on its data, after {@link #kill}); returns at once, see {@link #healthy}. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("etcd member " + name + " is running already (pid " + process.pid() + ")");
        }
        Files.createDirectories(dir);
        // Short heartbeat and election timeout: a lost leader is replaced in about a second, as tests need.
        List<String> command = new ArrayList<>(List.of(etcd.toString(), "--name", name, "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", clientUrl().toString(), "--advertise-client-urls", clientUrl().toString(),
                "--listen-metrics-urls", metricsUrl().toString(),
                "--listen-peer-urls", peerUrl(), "--initial-advertise-peer-urls", peerUrl(),
                "--initial-cluster", initialCluster, "--initial-cluster-state", "new", "--initial-cluster-token", "homeport-test",
                "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "warn"));
        if (tls != null) {
            command.addAll(List.of("--cert-file", tls.certFile().toString(), "--key-file", tls.keyFile().toString(),
                    "--trusted-ca-file", tls.caFile().toString(), "--client-cert-auth=" + tls.clientCertAuth()));
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
                .start();
    }

    /** SIGKILL, as a crash: no shutdown, no last words. Waits until the process is gone. */
    public synchronized void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("etcd member " + name + " (pid " + process.pid() + ") did not die from SIGKILL in 10 s");
        }
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Whether the member answers {@code /health} with true (it is up and the cluster has a leader). */
    public boolean healthy() {
        try {
            return send(HttpRequest.newBuilder(metricsUrl().resolve("/health")).timeout(Duration.ofSeconds(2)).GET().build()).contains("\"health\":\"true\"");
        } catch (IOException e) {
            return false;
        }
    }

    /** This member's raft id and the id of the leader it knows (plain HTTP members only). */
    public Status status() throws IOException {
        String body = post("/v3/maintenance/status");
        return new Status(number(MEMBER_ID, body), number(LEADER, body));
    }

    /** One member's view: its own id and its leader's. */
    public record Status(String memberId, String leaderId) {
        public boolean leader() {
            return memberId.equals(leaderId);
        }
    }

    /** The last lines of the member's log, for a failure message. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("etcd.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private String post(String path) throws IOException {
        return send(HttpRequest.newBuilder(clientUrl().resolve(path)).timeout(Duration.ofSeconds(2))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    }

    private static String send(HttpRequest request) throws IOException {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted asking etcd " + request.uri(), e);
        }
    }

    private String number(Pattern pattern, String body) throws IOException {
        Matcher m = pattern.matcher(body);
        if (!m.find()) {
            throw new IOException("etcd member " + name + " answered its status without " + pattern + ": " + body);
        }
        return m.group(1);
    }

    @Override
    public String toString() {
        return "etcd " + name + " " + clientUrl() + " pid=" + pid();
    }
}
