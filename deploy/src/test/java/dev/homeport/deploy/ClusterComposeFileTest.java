package dev.homeport.deploy;

import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * deploy/cluster/compose.yaml, three etcd members and three relays: docker-compose (1.29) accepts it, and
 * as YAML (anchors merged) the relays agree on what must be the same and differ where they must, every
 * relay's environment parses as homeport-server's options, and the etcd members form one static cluster
 * that the relays list exactly.
 */
class ClusterComposeFileTest {
    private static final Path DIR = Path.of("cluster");
    private static final List<String> HARDENING = List.of("restart", "sysctls", "cap_drop", "security_opt", "read_only",
            "tmpfs", "stop_grace_period");

    private final Map<String, Object> compose = Yamls.load(DIR.resolve("compose.yaml"));
    private final Map<String, Map<String, Object>> relays = services("relay-");
    private final Map<String, Map<String, Object>> etcds = services("etcd-");

    @TempDir
    Path project;

    @Test
    @RequiresProgram(value = "docker-compose", debianPackage = "docker-compose")
    void dockerComposeConfigAcceptsTheFileAndEveryResolvedRelayEnvironmentParses() throws Exception {
        Files.copy(DIR.resolve("compose.yaml"), project.resolve("compose.yaml"));
        Files.copy(DIR.resolve("homeport.env.example"), project.resolve("homeport.env"));
        Files.writeString(project.resolve("peer-secret"), "0123456789abcdef0123456789abcdef\n");
        Command good = composeConfig();
        assertThat(good.status()).as(good.output()).isZero();
        Map<String, Object> resolved = new Yaml().load(good.output().substring(good.output().indexOf("networks:")));
        Map<String, Object> services = Yamls.map(resolved.get("services"));
        assertThat(services.keySet()).containsExactlyInAnyOrder("etcd-1", "etcd-2", "etcd-3", "relay-1", "relay-2", "relay-3");
        for (String relay : relays.keySet()) {
            // What the container gets: the env file and the merged anchors, as compose resolved them.
            Map<String, String> env = Yamls.strings(Yamls.map(services.get(relay)).get("environment"));
            assertThat(env).containsKeys("HOMEPORT_TOKEN", "HOMEPORT_RELAY_ID", "HOMEPORT_ETCD");
            RelayEnvironment.check(env);
        }

        // The tool does check: a misspelt key in the shared anchor is refused.
        Files.writeString(project.resolve("compose.yaml"),
                Files.readString(project.resolve("compose.yaml")).replace("  read_only: true\n  tmpfs", "  read_onyl: true\n  tmpfs"));
        Command bad = composeConfig();
        assertThat(bad.status()).isNotZero();
        assertThat(bad.output()).contains("read_onyl");
    }

    @Test
    void everyRelayEnvironmentWithTheEnvFileParsesAsHomeportServerOptions() throws IOException {
        Map<String, String> shared = EnvFile.read(DIR.resolve("homeport.env.example"));
        for (Map.Entry<String, Map<String, Object>> relay : relays.entrySet()) {
            Map<String, String> env = new TreeMap<>(shared);
            env.putAll(environment(relay.getValue()));
            assertThat(RelayEnvironment.check(env)).as(relay.getKey())
                    .containsEntry("HOMEPORT_RELAY_ID", "--relay-id").containsEntry("HOMEPORT_PEER_ADDRESS", "--peer-address")
                    .containsEntry("HOMEPORT_PEER_SECRET_FILE", "--peer-secret-file").containsEntry("HOMEPORT_ETCD", "--etcd")
                    .containsEntry("HOMEPORT_TOKEN", "--token");
        }
    }

    @Test
    void aMisspeltVariableOrValueIsRefusedAsTheRelayWouldRefuseIt() {
        Map<String, String> env = new TreeMap<>(environment(relays.get("relay-1")));
        RelayEnvironment.check(env);
        for (Map.Entry<String, String> broken : List.of(Map.entry("HOMEPORT_ETCD_PREFX", "/homeport/"),
                Map.entry("HOMEPORT_REGISTRY_TTL", "10 secs"), Map.entry("HOMEPORT_REGISTRY_FAIL_OPEN", "yes"),
                Map.entry("HOMEPORT_PEER_ADDRESS", "relay-1"), Map.entry("HOMEPORT_ETCD", "etcd-1:2379"),
                Map.entry("HOMEPORT_PORTS", "20000:20100"), Map.entry("HOMEPORT_MAX_POOL_MEMBERS", "eight"))) {
            Map<String, String> bad = new TreeMap<>(env);
            bad.put(broken.getKey(), broken.getValue());
            assertThatThrownBy(() -> RelayEnvironment.check(bad)).as(broken.toString()).isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void relaysHaveDistinctIdsAndEachAnnouncesItsOwnServiceNameAsPeerAddress() {
        assertThat(relays.keySet()).containsExactly("relay-1", "relay-2", "relay-3");
        Set<String> ids = new HashSet<>();
        for (Map.Entry<String, Map<String, Object>> relay : relays.entrySet()) {
            Map<String, String> env = environment(relay.getValue());
            ids.add(env.get("HOMEPORT_RELAY_ID"));
            assertThat(env.get("HOMEPORT_PEER_ADDRESS")).isEqualTo(relay.getKey() + ":7800");
            assertThat(Yamls.list(relay.getValue().get("networks"))).containsExactly("cluster");
        }
        assertThat(ids).hasSize(3).doesNotContainNull();
    }

    @Test
    void everyRelayListsExactlyTheClientUrlsTheThreeEtcdMembersAdvertise() {
        Set<URI> advertised = new TreeSet<>();
        for (Map.Entry<String, Map<String, Object>> etcd : etcds.entrySet()) {
            URI url = URI.create(environment(etcd.getValue()).get("ETCD_ADVERTISE_CLIENT_URLS"));
            assertThat(url.getHost()).isEqualTo(etcd.getKey());
            advertised.add(url);
        }
        assertThat(advertised).hasSize(3);
        for (Map<String, Object> relay : relays.values()) {
            List<URI> listed = RegistryOptions.parseEndpoints(environment(relay).get("HOMEPORT_ETCD"));
            assertThat(listed).containsExactlyInAnyOrderElementsOf(advertised);
        }
    }

    @Test
    void relaysAgreeOnImagePortsDomainSecretAndTheSingleRelaysHardening() {
        Map<String, Object> single = Yamls.map(Yamls.map(Yamls.load(Path.of("compose.yaml")).get("services")).get("relay"));
        Map<String, String> first = environment(relays.get("relay-1"));
        Set<String> hostPorts = new HashSet<>();
        for (Map.Entry<String, Map<String, Object>> relay : relays.entrySet()) {
            Map<String, Object> r = relay.getValue();
            Map<String, String> env = environment(r);
            for (String shared : List.of("HOMEPORT_PORTS", "HOMEPORT_DOMAIN", "HOMEPORT_HTTP", "HOMEPORT_HTTPS",
                    "HOMEPORT_ADMIN", "HOMEPORT_ETCD", "HOMEPORT_PEER_SECRET_FILE")) {
                assertThat(env.get(shared)).as(relay.getKey() + " " + shared).isNotBlank().isEqualTo(first.get(shared));
            }
            assertThat(r.get("image")).isEqualTo(single.get("image"));
            for (String key : HARDENING) {
                assertThat(r.get(key)).as(relay.getKey() + " " + key).isEqualTo(single.get(key));
            }
            assertThat(r.get("env_file")).isEqualTo("homeport.env");
            // The same ports inside every container; other ports on the one host, so the demo starts there.
            List<String> ports = Yamls.list(r.get("ports")).stream().map(String::valueOf).toList();
            assertThat(ports.stream().map(p -> p.substring(p.lastIndexOf(':') + 1)))
                    .containsExactlyInAnyOrder("7700", "80", "443", "20000-20100", "7790");
            assertThat(ports).anyMatch(p -> p.matches("127\\.0\\.0\\.1:\\d+:7790"));
            for (String p : ports) {
                assertThat(hostPorts.add(p.substring(0, p.lastIndexOf(':')))).as("host port " + p + " used twice").isTrue();
            }
            assertThat(Yamls.list(r.get("volumes"))).singleElement().asString().endsWith(":/var/lib/homeport-server");
        }
        // One secret for all three, mounted where they read it.
        assertThat(Yamls.map(compose.get("secrets"))).containsOnlyKeys("peer-secret");
        for (Map<String, Object> r : relays.values()) {
            assertThat(Yamls.list(r.get("secrets"))).containsExactly("peer-secret");
        }
        assertThat(first.get("HOMEPORT_PEER_SECRET_FILE")).isEqualTo("/run/secrets/peer-secret");
    }

    @Test
    void etcdInitialClusterNamesExactlyTheThreeMembersAtTheirAdvertisedPeerUrls() {
        assertThat(etcds.keySet()).containsExactly("etcd-1", "etcd-2", "etcd-3");
        String cluster = environment(etcds.get("etcd-1")).get("ETCD_INITIAL_CLUSTER");
        Map<String, URI> members = EtcdSettings.initialCluster(cluster);
        assertThat(members.keySet()).containsExactlyElementsOf(etcds.keySet());
        Set<String> volumes = new HashSet<>();
        for (Map.Entry<String, Map<String, Object>> etcd : etcds.entrySet()) {
            Map<String, String> env = environment(etcd.getValue());
            assertThat(env).containsEntry("ETCD_NAME", etcd.getKey()).containsEntry("ETCD_INITIAL_CLUSTER", cluster)
                    .containsEntry("ETCD_INITIAL_CLUSTER_STATE", "new");
            assertThat(URI.create(env.get("ETCD_INITIAL_ADVERTISE_PEER_URLS"))).isEqualTo(members.get(etcd.getKey()));
            assertThat(etcd.getValue().get("image").toString()).matches("gcr\\.io/etcd-development/etcd:v3\\.5\\.\\d+");
            assertThat(etcd.getValue()).doesNotContainKey("ports");
            String volume = Yamls.list(etcd.getValue().get("volumes")).get(0).toString();
            assertThat(volume).endsWith(":" + env.get("ETCD_DATA_DIR"));
            volumes.add(volume.substring(0, volume.indexOf(':')));
        }
        assertThat(volumes).hasSize(3);
        assertThat(Yamls.map(compose.get("volumes"))).containsKeys(volumes.toArray(String[]::new));
    }

    @Test
    @RequiresProgram(value = "etcd", debianPackage = "etcd-server")
    void everyEtcdVariableNamesAFlagEtcdHas() throws Exception {
        for (Map<String, Object> etcd : etcds.values()) {
            assertThat(EtcdSettings.unknownTo(environment(etcd).keySet())).isEmpty();
        }
        assertThat(EtcdSettings.unknownTo(Set.of("ETCD_INITIAL_CLUSTR"))).containsExactly("ETCD_INITIAL_CLUSTR");
    }

    private Command composeConfig() throws Exception {
        return Command.runIn(project, Map.of("PATH", System.getenv("PATH"), "HOME", project.toString()),
                List.of("docker-compose", "--ansi", "never", "config"));
    }

    private Map<String, Map<String, Object>> services(String prefix) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        Yamls.map(compose.get("services")).entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .sorted(Map.Entry.comparingByKey()).forEach(e -> found.put(e.getKey(), Yamls.map(e.getValue())));
        return found;
    }

    private static Map<String, String> environment(Map<String, Object> service) {
        return Yamls.strings(service.get("environment"));
    }
}
