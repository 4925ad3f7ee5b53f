import dev.homeport.client.Backoff;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.transport.ClientTransport;
import dev.homeport.client.transport.RelayHost;
import dev.homeport.protocol.ProtocolSettings;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The bind storm and the kill -9 failover of bench/cluster.sh, as one program run from source on the
 * app's classpath (java -cp 'app/target/*:app/target/lib/*' bench/cluster/BindStorm.java ...), so that
 * the bench module stays free of relay-client. It runs N real RelayClients in one JVM: N sessions, N
 * control connections, N handshakes and claims, as N `homeport tcp` processes would make, without N JVMs
 * on a 2-core machine. Each client lists the three relays and starts at a random one, as the CLI does.
 *
 * Usage: BindStorm RELAY,RELAY,RELAY TOKEN CLIENTS SERVE_PORT TIMEOUT_S [KILL_PID KILL_HOST]
 * Prints one JSON line for the storm and, with KILL_PID, one for the failover.
 */
public final class BindStorm {
    private static final String PROBE = "ping";

    public static void main(String[] args) throws Exception {
        if (args.length != 5 && args.length != 7) {
            System.err.println("usage: BindStorm RELAY,RELAY,RELAY TOKEN CLIENTS SERVE_PORT TIMEOUT_S [KILL_PID KILL_HOST]");
            System.exit(2);
        }
        List<RelayHost> relays = Arrays.stream(args[0].split(",")).map(BindStorm::relayHost).toList();
        String token = args[1];
        int clients = Integer.parseInt(args[2]);
        int servePort = Integer.parseInt(args[3]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        List<String> hosts = relays.stream().map(RelayHost::host).toList();

        AtomicLongArray boundAt = new AtomicLongArray(clients);
        AtomicLongArray connectedAt = new AtomicLongArray(clients);
        int[] ports = new int[clients];
        List<RelayClient> running = new ArrayList<>();
        ExecutorService probes = Executors.newFixedThreadPool(16);
        int exit = 0;
        try {
            long start = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                int index = i;
                RelayClientConfig config = new RelayClientConfig(relays, token,
                        List.of(new TunnelSpec("storm-" + i, "127.0.0.1", servePort, 0)),
                        ProtocolSettings.defaults().withKeepAlive(Duration.ofMillis(500), Duration.ofSeconds(2)),
                        new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Duration.ofSeconds(5),
                        Duration.ofSeconds(1), ClientTransport.plain());
                running.add(RelayClient.start(config, new ClientEvents() {
                    @Override
                    public void connected(String sessionId) {
                        connectedAt.set(index, System.nanoTime());
                    }

                    @Override
                    public void tunnelBound(TunnelSpec tunnel, String address, boolean first) {
                        ports[index] = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
                        boundAt.compareAndSet(index, 0, System.nanoTime());
                    }
                }));
            }
            awaitAll(boundAt, deadline, "bound");
            long allBound = max(boundAt) - start;
            // Each name through a relay other than the one holding its client: the route came from etcd's watch.
            List<Future<Long>> served = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String through = other(hosts, hostOf(running.get(i)), i);
                int port = ports[i];
                served.add(probes.submit(() -> serveTime(through, port, deadline)));
            }
            long allServed = 0;
            for (Future<Long> f : served) {
                allServed = Math.max(allServed, f.get() - start);
            }
            System.out.printf(Locale.ROOT, "{\"test\":\"bind_storm\",\"clients\":%d,\"all_connected_ms\":%.1f,\"first_bound_ms\":%.1f,"
                            + "\"bound_ms\":%.1f,\"served_ms\":%.1f,\"status\":\"ok\"}%n",
                    clients, (max(connectedAt) - start) / 1e6, (min(boundAt) - start) / 1e6, allBound / 1e6, allServed / 1e6);

            if (args.length == 7) {
                failover(running, ports, connectedAt, hosts, Long.parseLong(args[5]), args[6], probes, deadline);
            }
        } catch (IllegalStateException | ExecutionException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            System.out.println("{\"test\":\"bind_storm\",\"status\":\"failed\",\"error\":\"" + cause.getMessage() + "\"}");
            exit = 1;
        } finally {
            probes.shutdownNow();
            running.forEach(RelayClient::close);
        }
        System.exit(exit);
    }

    /** kill -9 of the relay at killHost (PID killPid), then the time until each of its names answers through a survivor. */
    private static void failover(List<RelayClient> running, int[] ports, AtomicLongArray connectedAt, List<String> hosts,
                                 long killPid, String killHost, ExecutorService probes, long deadline) throws Exception {
        List<Integer> victims = new ArrayList<>();
        for (int i = 0; i < running.size(); i++) {
            if (killHost.equals(hostOf(running.get(i)))) {
                victims.add(i);
            }
        }
        if (victims.isEmpty()) {
            throw new IllegalStateException("no client was held by " + killHost);
        }
        ProcessHandle relay = ProcessHandle.of(killPid).orElseThrow(() -> new IllegalStateException("no process " + killPid));
        long killed = System.nanoTime();
        relay.destroyForcibly(); // SIGKILL on Linux
        List<Future<Long>> served = new ArrayList<>();
        for (int i : victims) {
            String through = other(hosts, killHost, i);
            int port = ports[i];
            served.add(probes.submit(() -> serveTime(through, port, deadline)));
        }
        long[] perName = new long[victims.size()];
        for (int k = 0; k < perName.length; k++) {
            perName[k] = served.get(k).get() - killed;
        }
        long rebound = 0;
        for (int i : victims) {
            rebound = Math.max(rebound, connectedAt.get(i) - killed);
        }
        Arrays.sort(perName);
        System.out.printf(Locale.ROOT, "{\"test\":\"failover\",\"clients\":%d,\"killed_host\":\"%s\",\"victims\":%d,"
                        + "\"reconnected_ms\":%.1f,\"first_served_ms\":%.1f,\"median_served_ms\":%.1f,\"all_served_ms\":%.1f,\"status\":\"ok\"}%n",
                running.size(), killHost, victims.size(), rebound / 1e6, perName[0] / 1e6, perName[perName.length / 2] / 1e6,
                perName[perName.length - 1] / 1e6);
    }

    /** Polls host:port with an echo probe (serve's 'E' mode) every 50 ms until it answers; returns the nanoTime it did. */
    private static long serveTime(String host, int port, long deadline) {
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1_000);
                s.setSoTimeout(1_000);
                s.getOutputStream().write(("E" + PROBE).getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                if (PROBE.equals(new String(in.readNBytes(PROBE.length()), StandardCharsets.US_ASCII))) {
                    return System.nanoTime();
                }
            } catch (IOException notYet) {
                // refused, reset or silent: not served yet
            }
            sleep(50);
        }
        throw new IllegalStateException("port " + port + " not served through " + host + " before the deadline");
    }

    private static void awaitAll(AtomicLongArray times, long deadline, String what) {
        while (System.nanoTime() < deadline) {
            if (count(times) == times.length()) {
                return;
            }
            sleep(20);
        }
        throw new IllegalStateException(count(times) + " of " + times.length() + " clients " + what + " before the deadline");
    }

    private static int count(AtomicLongArray times) {
        int n = 0;
        for (int i = 0; i < times.length(); i++) {
            n += times.get(i) != 0 ? 1 : 0;
        }
        return n;
    }

    private static long max(AtomicLongArray times) {
        long m = 0;
        for (int i = 0; i < times.length(); i++) {
            m = Math.max(m, times.get(i));
        }
        return m;
    }

    private static long min(AtomicLongArray times) {
        long m = Long.MAX_VALUE;
        for (int i = 0; i < times.length(); i++) {
            m = Math.min(m, times.get(i));
        }
        return m;
    }

    /** The host of the relay a client uses now ({@code 127.0.0.2:7700 (2 of 3)} -> {@code 127.0.0.2}). */
    private static String hostOf(RelayClient client) {
        String inUse = client.relayInUse();
        return inUse.substring(0, inUse.lastIndexOf(':', inUse.indexOf(' ') < 0 ? inUse.length() : inUse.indexOf(' ')));
    }

    /** One of the relays other than {@code not}, spread by {@code i}. */
    private static String other(List<String> hosts, String not, int i) {
        List<String> others = hosts.stream().filter(h -> !h.equals(not)).toList();
        return others.get(i % others.size());
    }

    private static RelayHost relayHost(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new RelayHost(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
