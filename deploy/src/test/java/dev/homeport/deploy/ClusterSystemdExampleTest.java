package dev.homeport.deploy;

import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * deploy/cluster/systemd, VPS 1 of 3: the relay's /etc/homeport/server.env parses as homeport-server's
 * options, Debian etcd-server's /etc/default/etcd names only flags etcd has, and the two agree with each
 * other: the relay lists the client URL of every member of the initial cluster, its peer address is on
 * this VPS's private address, and both speak TLS with client certificates.
 */
class ClusterSystemdExampleTest {
    private static final Path DIR = Path.of("cluster/systemd");

    private final Map<String, String> relay = read("server.env");
    private final Map<String, String> etcd = read("etcd.default");
    private final Map<String, URI> members = EtcdSettings.initialCluster(etcd.get("ETCD_INITIAL_CLUSTER"));

    @Test
    void theRelaysEnvFileParsesAsHomeportServerOptionsAndIsTheOneItsUnitReads() throws IOException {
        assertThat(RelayEnvironment.check(relay)).containsEntry("HOMEPORT_RELAY_ID", "--relay-id")
                .containsEntry("HOMEPORT_PEER_ADDRESS", "--peer-address").containsEntry("HOMEPORT_ETCD", "--etcd")
                .containsEntry("HOMEPORT_ETCD_CERT", "--etcd-cert").containsEntry("HOMEPORT_REGISTRY_FAIL_OPEN", "--registry-fail-open");
        assertThat(Files.readString(Path.of("systemd/homeport-server.service")))
                .contains("\nEnvironmentFile=-/etc/homeport/server.env\n");
    }

    @Test
    void aMisspeltVariableInTheEnvFileIsRefused() {
        Map<String, String> bad = new TreeMap<>(relay);
        bad.put("HOMEPORT_PEER_SECRET", relay.get("HOMEPORT_PEER_SECRET_FILE"));
        assertThatThrownBy(() -> RelayEnvironment.check(bad))
                .hasMessageContaining("HOMEPORT_PEER_SECRET is not a variable");
    }

    @Test
    void theInitialClusterHasThreeMembersAndThisOneAtItsAdvertisedAndListenedPeerUrl() {
        assertThat(members).hasSize(3);
        assertThat(members.values().stream().map(URI::getHost).distinct()).hasSize(3);
        String name = etcd.get("ETCD_NAME");
        assertThat(members).containsKey(name);
        URI self = members.get(name);
        assertThat(URI.create(etcd.get("ETCD_INITIAL_ADVERTISE_PEER_URLS"))).isEqualTo(self);
        assertThat(URI.create(etcd.get("ETCD_LISTEN_PEER_URLS"))).isEqualTo(self);
        assertThat(URI.create(etcd.get("ETCD_LISTEN_CLIENT_URLS"))).isEqualTo(URI.create(etcd.get("ETCD_ADVERTISE_CLIENT_URLS")));
        assertThat(etcd).containsEntry("ETCD_INITIAL_CLUSTER_STATE", "new").containsKey("ETCD_INITIAL_CLUSTER_TOKEN");
    }

    @Test
    void theRelayListsExactlyTheClientUrlsOfTheInitialClustersMembers() {
        URI advertised = URI.create(etcd.get("ETCD_ADVERTISE_CLIENT_URLS"));
        List<URI> expected = members.values().stream()
                .map(peer -> URI.create(advertised.getScheme() + "://" + peer.getHost() + ":" + advertised.getPort())).toList();
        assertThat(RegistryOptions.parseEndpoints(relay.get("HOMEPORT_ETCD"))).containsExactlyInAnyOrderElementsOf(expected)
                .contains(advertised);
    }

    @Test
    void theRelayAndEtcdShareThisVpsPrivateAddressAndNeverListenOnAWildcard() throws IOException {
        String peerHost = relay.get("HOMEPORT_PEER_ADDRESS").substring(0, relay.get("HOMEPORT_PEER_ADDRESS").lastIndexOf(':'));
        assertThat(peerHost).isEqualTo(members.get(etcd.get("ETCD_NAME")).getHost());
        for (String listen : List.of(relay.get("HOMEPORT_PEER_ADDRESS").replaceFirst("^", "tcp://"),
                etcd.get("ETCD_LISTEN_PEER_URLS"), etcd.get("ETCD_LISTEN_CLIENT_URLS"))) {
            // A literal address, so no name is looked up.
            InetAddress a = InetAddress.getByName(URI.create(listen).getHost());
            assertThat(a.isSiteLocalAddress()).as(listen + " is a private address").isTrue();
        }
    }

    @Test
    void etcdAndTheRelayUseTlsWithClientCertificatesBothWays() {
        assertThat(etcd.get("ETCD_ADVERTISE_CLIENT_URLS")).startsWith("https://");
        assertThat(members.values()).allMatch(u -> u.getScheme().equals("https"));
        assertThat(etcd).containsEntry("ETCD_CLIENT_CERT_AUTH", "true").containsEntry("ETCD_PEER_CLIENT_CERT_AUTH", "true")
                .containsKeys("ETCD_CERT_FILE", "ETCD_KEY_FILE", "ETCD_TRUSTED_CA_FILE", "ETCD_PEER_CERT_FILE",
                        "ETCD_PEER_KEY_FILE", "ETCD_PEER_TRUSTED_CA_FILE");
        assertThat(relay).containsKeys("HOMEPORT_ETCD_CA", "HOMEPORT_ETCD_CERT", "HOMEPORT_ETCD_KEY");
    }

    @Test
    @RequiresProgram(value = "etcd", debianPackage = "etcd-server")
    void everyVariableOfEtcdDefaultNamesAFlagEtcdHas() throws Exception {
        assertThat(EtcdSettings.unknownTo(etcd.keySet())).isEmpty();
    }

    private static Map<String, String> read(String file) {
        try {
            return EnvFile.read(DIR.resolve(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
