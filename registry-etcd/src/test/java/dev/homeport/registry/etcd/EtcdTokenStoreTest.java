package dev.homeport.registry.etcd;

import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.server.PortRange;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.cluster.ClusterTokenStore;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.homeport.registry.etcd.Relays.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cluster's tokens on a real etcd: what the CLI writes there, and how fast two relays' directories follow it. */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdTokenStoreTest {
    /** A bound on the watch, generous against a slow CI host; the measured time is printed. */
    private static final Duration WITHIN = Duration.ofSeconds(1);
    /** The first call of a fresh JVM's first etcd client can take seconds on a busy two-core host. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    private static EtcdCluster etcd;
    private final List<ClusterTokenStore> open = new ArrayList<>();
    private RegistryOptions options;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdCluster.start(1);
    }

    @AfterAll
    static void stopEtcd() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    @BeforeEach
    void newPrefix() {
        options = RegistryOptions.of(etcd.endpoints()).withPrefix("/test-" + UUID.randomUUID() + "/")
                .withCallTimeout(CALL_TIMEOUT);
    }

    @AfterEach
    void closeStores() {
        open.forEach(ClusterTokenStore::close);
    }

    private ClusterTokenStore store() throws Exception {
        ClusterTokenStore s = ClaimRegistryProvider.find("etcd").openTokens(options);
        open.add(s);
        return s;
    }

    @Test
    void anAddedTokenIsListedWithItsRightsAndEtcdHoldsItsKeyHashNeverTheToken() throws Exception {
        ClusterTokenStore store = store();
        TokenRights rights = new TokenRights(PortRange.parse("20000-20010"), List.of("*.lab.example.com"), 20003, "ipad.example.com");
        String token = store.add("ipad", rights);

        Map<String, TokenFile.Entry> listed = store.list();
        assertThat(listed).containsOnlyKeys("ipad");
        TokenFile.Entry e = listed.get("ipad");
        assertThat(e.keyHash()).isEqualTo(TokenKey.fromToken("ipad", token).keyHash());
        assertThat(e.rights().describe()).isEqualTo(rights.describe());
        assertThat(e.created()).isBetween(java.time.Instant.now().minusSeconds(60), java.time.Instant.now());
        try (Client client = Client.builder().endpoints(etcd.endpoints().toArray(java.net.URI[]::new)).build()) {
            String value = client.getKVClient().get(Bytes.of(options.prefix() + "tokens/ipad")).get(5, TimeUnit.SECONDS)
                    .getKvs().get(0).getValue().toString(StandardCharsets.UTF_8);
            assertThat(value).contains("key_hash=" + HexFormat.of().formatHex(e.keyHash())).doesNotContain(token)
                    .doesNotContain(token.substring("hp_".length()));
            long keys = client.getKVClient().get(Bytes.of(options.prefix()), GetOption.builder().isPrefix(true).withCountOnly(true)
                    .build()).get(5, TimeUnit.SECONDS).getCount();
            assertThat(keys).as("the token and the add index, nothing else").isEqualTo(2);
        }
    }

    @Test
    void addingANameTwiceIsRefusedAndTheFirstTokenStaysValid() throws Exception {
        ClusterTokenStore store = store();
        String first = store.add("ipad", TokenRights.ALL);

        assertThatThrownBy(() -> store.add("ipad", TokenRights.ALL)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a token named 'ipad' exists");
        assertThat(store().list().get("ipad").keyHash()).isEqualTo(TokenKey.fromToken("ipad", first).keyHash());
    }

    @Test
    void aReservedPortOrHostOfOneTokenIsRefusedToAnotherAndTheHoldersNameToAny() throws Exception {
        ClusterTokenStore store = store();
        store.add("ipad", new TokenRights(null, List.of(), 20003, "ipad.example.com"));

        assertThatThrownBy(() -> store().add("lab", new TokenRights(null, List.of(), 20003, "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port 20003 is already reserved for token 'ipad'");
        assertThatThrownBy(() -> store().add("lab", new TokenRights(null, List.of(), 0, "ipad.example.com")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already reserved for token 'ipad'");
        assertThatThrownBy(() -> store.add("default", TokenRights.ALL)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved for the --token holder");
        assertThat(store.list()).containsOnlyKeys("ipad");
    }

    @Test
    void aTokenAddedThroughOneRelaysStoreIsAcceptedByAnothersDirectoryWithinASecond() throws Exception {
        ClusterTokenStore cli = store();
        TokenDirectory relay2 = store().directory();

        long start = System.nanoTime();
        String token = cli.add("ipad", new TokenRights(PortRange.parse("20000-20010"), List.of()));
        long id = TokenKey.fromToken("ipad", token).id();
        long ms = await(WITHIN, "the other relay accepting the new token", () -> relay2.find(id) != null);
        System.out.println("token add seen by another relay's directory after " + ms + " ms (add call included: "
                + (System.nanoTime() - start) / 1_000_000 + " ms)");

        assertThat(relay2.find(id).keyHash()).isEqualTo(TokenKey.fromToken("ipad", token).keyHash());
        assertThat(relay2.rights("ipad").allowsPort(20005)).isTrue();
        assertThat(relay2.rights("ipad").allowsPort(20011)).isFalse();
    }

    @Test
    void aRevokeOnOneRelayFiresOnRevokedOnAnotherWithinASecondAndItsTokenIsRefusedThere() throws Exception {
        ClusterTokenStore relay1 = store();
        String token = relay1.add("ipad", TokenRights.ALL);
        relay1.add("laptop", TokenRights.ALL);
        TokenDirectory relay2 = store().directory();
        long id = TokenKey.fromToken("ipad", token).id();
        assertThat(relay2.find(id)).isNotNull();
        List<String> revoked = new CopyOnWriteArrayList<>();
        relay2.onRevoked(revoked::add);

        long start = System.nanoTime();
        assertThat(relay1.revoke("ipad")).isTrue();
        long ms = await(WITHIN, "onRevoked on the other relay", () -> revoked.contains("ipad"));
        System.out.println("token revoke heard by another relay after " + ms + " ms (revoke call included: "
                + (System.nanoTime() - start) / 1_000_000 + " ms)");

        assertThat(relay2.find(id)).isNull();
        assertThat(relay2.rights("ipad")).isNull();
        assertThat(relay2.rights("laptop")).isNotNull();
        assertThat(revoked).containsExactly("ipad");
        assertThat(relay1.revoke("ipad")).as("a second revoke finds nothing").isFalse();
    }
}
