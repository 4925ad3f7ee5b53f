package dev.homeport.registry.etcd;

import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.cli.HomeportServerCommand;
import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.cluster.ClusterTokenStore;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code homeport-server token add|list|revoke --etcd} against a real etcd, seen by a relay's token directory. */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TokenCommandOnEtcdTest {
    private static EtcdCluster etcd;

    private record Result(int exitCode, String out, String err) {
    }

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

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = HomeportServerCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = HomeportServerCommand.execute(cl, args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void addListAndRevokeWorkOnTheClustersTokensAndARelaysDirectoryFollowsThem() throws Exception {
        String url = etcd.endpoints().get(0).toString();
        String prefix = "/test-" + UUID.randomUUID() + "/";
        RegistryOptions options = RegistryOptions.of(etcd.endpoints()).withPrefix(prefix).withCallTimeout(Duration.ofSeconds(15));
        try (ClusterTokenStore relay = ClaimRegistryProvider.find("etcd").openTokens(options)) {
            TokenDirectory directory = relay.directory();

            Result added = run("token", "add", "ipad", "--ports", "20000-20010", "--etcd", url, "--etcd-prefix", prefix,
                    "--registry-timeout", "15s");
            assertThat(added.exitCode()).as(added.err()).isZero();
            String token = added.out().strip();
            assertThat(added.err()).contains("added to etcd");
            long id = TokenKey.fromToken("ipad", token).id();
            Relays.await(Duration.ofSeconds(1), "the relay accepting the token the CLI added", () -> directory.find(id) != null);

            Result again = run("token", "add", "ipad", "--etcd", url, "--etcd-prefix", prefix, "--registry-timeout", "15s");
            assertThat(again.exitCode()).isNotZero();
            assertThat(again.err()).contains("a token named 'ipad' exists");

            Result listed = run("token", "list", "--etcd", url, "--etcd-prefix", prefix, "--registry-timeout", "15s");
            assertThat(listed.exitCode()).as(listed.err()).isZero();
            assertThat(listed.out()).contains("ipad").contains("ports=20000-20010").doesNotContain(token);

            Result revoked = run("token", "revoke", "ipad", "--etcd", url, "--etcd-prefix", prefix, "--registry-timeout", "15s");
            assertThat(revoked.exitCode()).as(revoked.err()).isZero();
            Relays.await(Duration.ofSeconds(1), "the relay dropping the revoked token", () -> directory.find(id) == null);
            assertThat(run("token", "revoke", "ipad", "--etcd", url, "--etcd-prefix", prefix).exitCode()).isNotZero();
        }
    }
}
