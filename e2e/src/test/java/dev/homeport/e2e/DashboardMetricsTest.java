package dev.homeport.e2e;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard in deploy/grafana can never go stale: every metric its PromQL names must be
 * in a real scrape of a relay that has seen a client, a stream and a failed handshake.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DashboardMetricsTest {
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "homeport.json");
    /** A metric name in PromQL: the relay's are all homeport_*; anything else would be another exporter's. */
    private static final Pattern METRIC = Pattern.compile("\\b(homeport_[a-zA-Z0-9_]+)\\b");

    @Test
    void everyMetricTheDashboardQueriesIsInARealScrape() throws Exception {
        List<String> queries = queries(new Yaml().load(Files.readString(DASHBOARD)));
        assertThat(queries).as("PromQL in " + DASHBOARD).hasSizeGreaterThanOrEqualTo(8);
        Set<String> referenced = new TreeSet<>();
        for (String q : queries) {
            Matcher m = METRIC.matcher(q);
            boolean any = false;
            while (m.find()) {
                referenced.add(m.group(1));
                any = true;
            }
            assertThat(any).as("query names a homeport_ metric: " + q).isTrue();
        }

        int base = FreePorts.block(2);
        try (RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                        new PortRange(base + 1, base + 1), new SingleToken("dashboard-test"))
                     .withShutdownGrace(Duration.ZERO).withAdmin(new InetSocketAddress("127.0.0.1", 0)));
             LocalService echo = LocalService.start(c -> c.getInputStream().transferTo(c.getOutputStream()));
             RelayClient good = RelayClient.start(RelayClientConfig.of("127.0.0.1", base, "dashboard-test",
                     List.of(new TunnelSpec("t", "127.0.0.1", echo.port(), 0))).withShutdownGrace(Duration.ZERO), new ClientEvents() { });
             RelayClient bad = RelayClient.start(RelayClientConfig.of("127.0.0.1", base, "wrong",
                     List.of(new TunnelSpec("t", "127.0.0.1", echo.port(), 0))).withShutdownGrace(Duration.ZERO), new ClientEvents() { })) {
            int publicPort = URI.create(good.bound().get(10, TimeUnit.SECONDS).get("t")).getPort();
            assertThat(SecurityTest.echoThrough(publicPort, "seen")).isEqualTo("seen");
            bad.failure().get(10, TimeUnit.SECONDS);

            Set<String> scraped = Scrape.of(relay.adminAddress().getPort()).names();
            // The cluster panels' metrics exist only on a relay with --etcd: RelayClusterTest checks those.
            assertThat(scraped).as("metrics the relay exports")
                    .containsAll(referenced.stream().filter(n -> !clusterMetric(n)).toList());
            assertThat(referenced).as("the dashboard shows every homeport_ metric the relay exports (add a panel to " + DASHBOARD + ")")
                    .containsAll(scraped.stream().filter(n -> n.startsWith("homeport_")).toList());
        }
    }

    /** A metric only a relay of a cluster exports (peer links, the registry). */
    static boolean clusterMetric(String name) {
        return name.startsWith("homeport_peer_") || name.startsWith("homeport_registry_");
    }

    /** Every homeport_ metric the dashboard's queries name. */
    static Set<String> referencedMetrics() throws IOException {
        Set<String> referenced = new TreeSet<>();
        for (String q : queries(new Yaml().load(Files.readString(DASHBOARD)))) {
            Matcher m = METRIC.matcher(q);
            while (m.find()) {
                referenced.add(m.group(1));
            }
        }
        return referenced;
    }

    /** Every "expr" (panel queries) and "query" (template variables) string anywhere in the dashboard. */
    private static List<String> queries(Object node) {
        List<String> found = new ArrayList<>();
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (("expr".equals(k) || "query".equals(k)) && v instanceof String s && s.contains("(")) {
                    found.add(s);
                } else {
                    found.addAll(queries(v));
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(v -> found.addAll(queries(v)));
        }
        return found;
    }
}
