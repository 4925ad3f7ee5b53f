package dev.homeport.server.cli;

import dev.homeport.protocol.SettingValues;
import dev.homeport.server.cluster.ClaimRegistry;
import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.cluster.ClusterCertificates;
import dev.homeport.server.cluster.ClusterSettings;
import dev.homeport.server.cluster.ClusterTokenStore;
import dev.homeport.server.cluster.RegistryMembership;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.server.cluster.RegistryUnavailableException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Where a clustered relay claims its names: the etcd cluster and how to talk to it (docs/cluster.md). */
final class RegistryCliOptions {
    @Option(names = "--etcd", paramLabel = "URL[,URL...]", defaultValue = "${env:HOMEPORT_ETCD:-}",
            description = "Join a relay cluster whose claims live in these etcd members, e.g. "
                    + "https://10.0.0.1:2379,https://10.0.0.2:2379 (env HOMEPORT_ETCD); needs --relay-id, --peer-address "
                    + "and --peer-secret-file. Default: none (one relay alone).")
    String endpoints;

    @Option(names = "--etcd-prefix", paramLabel = "PREFIX", defaultValue = "${env:HOMEPORT_ETCD_PREFIX:-"
            + RegistryOptions.DEFAULT_PREFIX + "}",
            description = "Every key of this cluster lives under it, so clusters can share one etcd (env HOMEPORT_ETCD_PREFIX). "
                    + "Default: ${DEFAULT-VALUE}.")
    String prefix;

    @Option(names = "--etcd-ca", paramLabel = "FILE", defaultValue = "${env:HOMEPORT_ETCD_CA}",
            description = "CA certificates (PEM) etcd's server certificate must chain to, for https:// URLs (env HOMEPORT_ETCD_CA).")
    Path caFile;

    @Option(names = "--etcd-cert", paramLabel = "FILE", defaultValue = "${env:HOMEPORT_ETCD_CERT}",
            description = "This relay's client certificate (PEM) for etcd's --client-cert-auth (env HOMEPORT_ETCD_CERT).")
    Path certFile;

    @Option(names = "--etcd-key", paramLabel = "FILE", defaultValue = "${env:HOMEPORT_ETCD_KEY}",
            description = "The private key (PKCS#8 PEM) of --etcd-cert (env HOMEPORT_ETCD_KEY).")
    Path keyFile;

    @Option(names = "--etcd-user", paramLabel = "USER", defaultValue = "${env:HOMEPORT_ETCD_USER}",
            description = "etcd user (RBAC) with read and write on --etcd-prefix only (env HOMEPORT_ETCD_USER).")
    String user;

    @Option(names = "--etcd-password-file", paramLabel = "FILE", defaultValue = "${env:HOMEPORT_ETCD_PASSWORD_FILE}",
            description = "File whose first line is --etcd-user's password (env HOMEPORT_ETCD_PASSWORD_FILE).")
    Path passwordFile;

    @Option(names = "--registry-timeout", paramLabel = "DURATION", defaultValue = "${env:HOMEPORT_REGISTRY_TIMEOUT:-5s}",
            description = "The longest one call to etcd (a claim, a release) may take; a BIND that cannot be claimed in "
                    + "time ends the client's session, which connects again (env HOMEPORT_REGISTRY_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    String callTimeout;

    @Option(names = "--registry-ttl", paramLabel = "DURATION", defaultValue = "${env:HOMEPORT_REGISTRY_TTL:-10s}",
            description = "This relay's registration lease in etcd: the other relays stop forwarding to it this long after "
                    + "it stopped renewing it; keep it above an etcd leader election (a few seconds) "
                    + "(env HOMEPORT_REGISTRY_TTL). Default: ${DEFAULT-VALUE}.")
    String relayTtl;

    @Option(names = "--registry-fail-open", defaultValue = "${env:HOMEPORT_REGISTRY_FAIL_OPEN:-false}",
            description = "Keep serving clients when etcd is out of reach for longer than --reconnect-grace. By default the "
                    + "relay then ends its sessions (fail closed), since another relay may own their names by then "
                    + "(env HOMEPORT_REGISTRY_FAIL_OPEN).")
    boolean failOpen;

    boolean enabled() {
        return endpoints != null && !endpoints.isBlank();
    }

    /**
     * Checks every setting and the peer link's, then connects to etcd; the relay registers itself once its peer listener is up.
     *
     * @param acme whether the relay gets ACME certificates: then its orders, answers and certificates are shared in etcd too
     */
    ClusterSettings join(ClusterSettings peers, boolean acme) throws IOException, RegistryUnavailableException {
        if (!peers.clustered()) {
            throw new IllegalArgumentException("--etcd needs --relay-id, --peer-address and --peer-secret-file: the relays "
                    + "of a cluster forward public connections to each other over peer links");
        }
        if (peers.peerAddress().getAddress() == null || peers.peerAddress().getAddress().isAnyLocalAddress()) {
            throw new IllegalArgumentException("--peer-address " + peers.peerAddress().getHostString() + ":"
                    + peers.peerAddress().getPort() + " is announced to the other relays in etcd: give the address they reach "
                    + "this relay at (e.g. its private 10.0.0.1:7800), not a wildcard");
        }
        Duration timeout = SettingValues.duration(callTimeout, "--registry-timeout");
        Duration ttl = SettingValues.duration(relayTtl, "--registry-ttl");
        if (ttl.toSeconds() < 2) {
            throw new IllegalArgumentException("--registry-ttl must be at least 2s (etcd counts leases in whole seconds), got "
                    + relayTtl);
        }
        RegistryOptions options = options(timeout);
        ClaimRegistryProvider provider = ClaimRegistryProvider.find("etcd");
        ClaimRegistry registry = provider.open(options);
        ClusterCertificates certificates;
        try {
            // The order lock's lease is the relay's: a dead relay's order is taken over as soon as its routes are forgotten.
            certificates = acme ? provider.openCertificates(options, peers.relayId(), ttl) : null;
        } catch (RegistryUnavailableException | RuntimeException e) {
            registry.close();
            throw e;
        }
        return peers.withRegistry(new RegistryMembership(registry, ttl, failOpen, certificates));
    }

    /** How to reach etcd, from the flags: the claim registry's connection and the token store's. */
    private RegistryOptions options(Duration timeout) throws IOException {
        String password = null;
        if (passwordFile != null) {
            password = Files.readAllLines(passwordFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
        }
        if ((user != null) != (passwordFile != null)) {
            throw new IllegalArgumentException("--etcd-user and --etcd-password-file go together");
        }
        return new RegistryOptions(RegistryOptions.parseEndpoints(endpoints), prefix, timeout, caFile, certFile, keyFile, user,
                password);
    }

    /**
     * The cluster's tokens in etcd, for the relay's logins and for {@code token add|list|revoke --etcd}; the same
     * connection flags as the claims. Separate from {@link #join}: the token commands join no cluster.
     */
    ClusterTokenStore openTokens() throws IOException, RegistryUnavailableException {
        return ClaimRegistryProvider.find("etcd").openTokens(options(SettingValues.duration(callTimeout, "--registry-timeout")));
    }
}
