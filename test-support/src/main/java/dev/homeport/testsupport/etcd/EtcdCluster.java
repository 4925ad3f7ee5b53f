package dev.homeport.testsupport.etcd;

import dev.homeport.testsupport.programs.RequiredPrograms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code members} etcd processes (1 or 3) forming one cluster on free loopback ports, with data in a
 * temporary directory removed by {@link #close}. Tests put {@code @RequiresProgram(value = "etcd",
 * debianPackage = "etcd-server")} on the class so that a machine without etcd skips them.
 */
public final class EtcdCluster implements AutoCloseable {
    public static final String PROGRAM = "etcd";
    public static final String DEBIAN_PACKAGE = "etcd-server";
    private static final long START_TIMEOUT_MS = 20_000;
    private static final int START_ATTEMPTS = 3;

    private final Path dir;
    private final List<EtcdProcess> members;

    private EtcdCluster(Path dir, List<EtcdProcess> members) {
        this.dir = dir;
        this.members = members;
    }

    /** Starts {@code size} members and waits until every one is healthy (the cluster has a leader). */
    public static EtcdCluster start(int size) throws IOException, InterruptedException {
        return start(size, null);
    }

    /** One member with TLS on its client port ({@code https://} endpoints). */
    public static EtcdCluster startTls(EtcdTls tls) throws IOException, InterruptedException {
        return start(1, tls);
    }

    private static EtcdCluster start(int size, EtcdTls tls) throws IOException, InterruptedException {
        Path etcd = RequiredPrograms.require(PROGRAM, DEBIAN_PACKAGE);
        for (int attempt = 1; ; attempt++) {
            try {
                return startOn(etcd, size, tls);
            } catch (IOException e) {
                // A free port found can be taken before etcd binds it (by any process's outgoing connection): new ports.
                if (attempt >= START_ATTEMPTS || !String.valueOf(e.getMessage()).contains("address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static EtcdCluster startOn(Path etcd, int size, EtcdTls tls) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("homeport-etcd-");
        List<int[]> ports = new ArrayList<>();
        List<String> initial = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int[] p = {freePort(), freePort(), freePort()};
            ports.add(p);
            initial.add("m" + i + "=http://127.0.0.1:" + p[1]);
        }
        List<EtcdProcess> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(new EtcdProcess(etcd, "m" + i, ports.get(i), dir.resolve("m" + i), String.join(",", initial), tls));
        }
        EtcdCluster cluster = new EtcdCluster(dir, members);
        try {
            for (EtcdProcess m : members) {
                m.start();
            }
            for (EtcdProcess m : members) {
                cluster.awaitHealthy(m);
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public List<URI> endpoints() {
        return members.stream().map(EtcdProcess::clientUrl).toList();
    }

    public EtcdProcess member(int index) {
        return members.get(index);
    }

    public int size() {
        return members.size();
    }

    /** The index of the member that is leader now, as the living members see it. */
    public int leader() throws IOException {
        for (EtcdProcess m : members) {
            if (m.alive() && m.healthy() && m.status().leader()) {
                return members.indexOf(m);
            }
        }
        throw new IOException("no living etcd member says it is the leader: " + members);
    }

    /** SIGKILL of member {@code index}. */
    public void kill(int index) throws InterruptedException {
        members.get(index).kill();
    }

    /** Starts member {@code index} again on its data and waits until it is healthy. */
    public void restart(int index) throws IOException, InterruptedException {
        EtcdProcess m = members.get(index);
        m.start();
        awaitHealthy(m);
    }

    /** Waits until the living members agree on a leader again (after a kill). */
    public void awaitLeader() throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            try {
                leader();
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("the etcd cluster found no leader in " + START_TIMEOUT_MS + " ms: " + members);
    }

    private void awaitHealthy(EtcdProcess m) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!m.alive()) {
                throw new IOException(m + " exited while starting:\n" + m.logTail());
            }
            if (m.healthy()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException(m + " was not healthy within " + START_TIMEOUT_MS + " ms:\n" + m.logTail());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Kills every member and removes the data. */
    @Override
    public void close() throws InterruptedException {
        for (EtcdProcess m : members) {
            m.kill();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove the etcd test data in " + dir, e);
        }
    }
}
