package dev.homeport.server.cluster;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How to reach the cluster registry ({@code --etcd URL,...}) and talk to it.
 *
 * @param endpoints   the registry's client URLs, {@code http://} or {@code https://}
 * @param prefix      every key lives under it, so clusters can share one etcd; ends with {@code /}
 * @param callTimeout the longest any one registry call (claim, release, register) waits before it fails
 *                    with {@link RegistryUnavailableException}; default {@link #DEFAULT_CALL_TIMEOUT}
 * @param caFile      the CA certificates (PEM) the registry's server certificate is checked against, or {@code null}
 * @param certFile    this relay's client certificate (PEM) for mutual TLS, or {@code null}
 * @param keyFile     the client certificate's private key (PKCS#8 PEM), or {@code null}
 * @param user        the registry user (etcd RBAC), or {@code null} for none
 * @param password    that user's password, or {@code null}
 */
public record RegistryOptions(List<URI> endpoints, String prefix, Duration callTimeout, Path caFile, Path certFile,
                              Path keyFile, String user, String password) {
    public static final String DEFAULT_PREFIX = "/homeport/";
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

    public RegistryOptions {
        endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("--etcd needs at least one URL such as http://127.0.0.1:2379");
        }
        for (URI e : endpoints) {
            String scheme = e.getScheme() == null ? "" : e.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || e.getHost() == null || e.getPort() < 0) {
                throw new IllegalArgumentException("--etcd URLs must look like http://HOST:PORT or https://HOST:PORT, got '" + e + "'");
            }
        }
        prefix = prefix == null || prefix.isEmpty() ? DEFAULT_PREFIX : prefix;
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("the registry key prefix must end with '/', got '" + prefix + "'");
        }
        callTimeout = callTimeout == null ? DEFAULT_CALL_TIMEOUT : callTimeout;
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("the registry call timeout must be positive, got " + callTimeout);
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a registry client certificate needs its key and the key its certificate");
        }
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("a registry user needs a password and a password a user");
        }
    }

    /** The defaults for plain {@code --etcd URL,...}: default prefix and timeout, no TLS files, no user. */
    public static RegistryOptions of(List<URI> endpoints) {
        return new RegistryOptions(endpoints, DEFAULT_PREFIX, DEFAULT_CALL_TIMEOUT, null, null, null, null, null);
    }

    /** Parses {@code --etcd}'s comma-separated list of URLs. */
    public static List<URI> parseEndpoints(String commaSeparated) {
        List<URI> uris = Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(s -> {
            try {
                return URI.create(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--etcd URLs must look like http://HOST:PORT, got '" + s + "'", e);
            }
        }).toList();
        return of(uris).endpoints();
    }

    public RegistryOptions withPrefix(String newPrefix) {
        return new RegistryOptions(endpoints, newPrefix, callTimeout, caFile, certFile, keyFile, user, password);
    }

    public RegistryOptions withCallTimeout(Duration timeout) {
        return new RegistryOptions(endpoints, prefix, timeout, caFile, certFile, keyFile, user, password);
    }

    @Override
    public String toString() {
        return "endpoints=" + endpoints + " prefix=" + prefix + " call_timeout_ms=" + callTimeout.toMillis()
                + " tls=" + (caFile != null || certFile != null) + " user=" + (user == null ? "-" : user);
    }
}
