package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiredPrograms;
import dev.homeport.server.tls.RelayCertificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's {@code pebble} ACME test CA, started for real on loopback, with {@code pebble-challtestsrv}
 * as its DNS server, which answers every A query with 127.0.0.1 (and no AAAA), so pebble's
 * validation of any host name reaches the relay's ports {@code httpPort} (HTTP-01) and
 * {@code tlsPort} (TLS-ALPN-01). Challenges are validated for real: no PEBBLE_VA_ALWAYS_VALID.
 * Both processes are stopped by their own handles in {@link #close()}.
 */
final class Pebble implements AutoCloseable {
    private final Path dir;
    private final int acmePort;
    private final int managementPort;
    private final RelayCertificate tls;
    private final List<Process> processes = new ArrayList<>();

    private Pebble(Path dir, int acmePort, int managementPort, RelayCertificate tls) {
        this.dir = dir;
        this.acmePort = acmePort;
        this.managementPort = managementPort;
        this.tls = tls;
    }

    /** Writes pebble's HTTPS certificate and configuration, without starting anything: {@link #directory()} refuses connections. */
    static Pebble prepare(Path dir, int httpPort, int tlsPort) throws IOException {
        Files.createDirectories(dir);
        int base = FreePorts.block(4);
        // pebble's own HTTPS certificate (Debian ships none): self-signed, its file is what the relay trusts.
        RelayCertificate tls = RelayCertificate.selfSigned(dir.resolve("https"), List.of("localhost", "127.0.0.1"));
        Files.writeString(dir.resolve("pebble-config.json"), """
                {"pebble": {
                  "listenAddress": "127.0.0.1:%d",
                  "managementListenAddress": "127.0.0.1:%d",
                  "certificate": "%s",
                  "privateKey": "%s",
                  "httpPort": %d,
                  "tlsPort": %d,
                  "ocspResponderURL": "",
                  "externalAccountBindingRequired": false
                }}
                """.formatted(base, base + 1, tls.certificateFile(), tls.keyFile(), httpPort, tlsPort));
        return new Pebble(dir, base, base + 1, tls);
    }

    /** Starts the DNS responder and pebble, and waits until the directory answers. */
    Pebble start() throws IOException, InterruptedException {
        int dnsPort = acmePort + 2;
        processes.add(launch("challtestsrv", Map.of(), "pebble-challtestsrv",
                "-dns01", "127.0.0.1:" + dnsPort, "-http01", "", "-https01", "", "-tlsalpn01", "",
                "-management", "127.0.0.1:" + (acmePort + 3), "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""));
        processes.add(launch("pebble", Map.of(
                        "PEBBLE_VA_NOSLEEP", "1",       // validate at once instead of after 0-15 s
                        "PEBBLE_WFE_NONCEREJECT", "0",  // acme4j retries bad nonces, but that only costs time here
                        "PEBBLE_AUTHZREUSE", "0"),      // every order is validated anew
                "pebble", "-config", dir.resolve("pebble-config.json").toString(), "-dnsserver", "127.0.0.1:" + dnsPort,
                "-strict=false"));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                get(directory());
                return this;
            } catch (IOException notYet) {
                for (Process p : processes) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("pebble process exited with " + p.exitValue() + ": " + logs());
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("pebble's directory did not answer within 20 s: " + logs());
                }
                Thread.sleep(50);
            }
        }
    }

    static Pebble start(Path dir, int httpPort, int tlsPort) throws IOException, InterruptedException {
        return prepare(dir, httpPort, tlsPort).start();
    }

    URI directory() {
        return URI.create("https://127.0.0.1:" + acmePort + "/dir");
    }

    /** The PEM certificate of pebble's HTTPS listener, for {@code --acme-trust-ca}. */
    Path httpsCertificate() {
        return tls.certificateFile();
    }

    /** The root that pebble's issued chains end at (regenerated at each pebble start). */
    X509Certificate root() throws IOException, InterruptedException {
        return parse(get(URI.create("https://127.0.0.1:" + managementPort + "/roots/0")));
    }

    String logs() {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("challtestsrv", "pebble")) {
            try {
                out.append("\n--- ").append(name).append(" ---\n").append(Files.readString(dir.resolve(name + ".log")));
            } catch (IOException e) {
                out.append("\n--- ").append(name).append(": no log (").append(e.getMessage()).append(")");
            }
        }
        return out.toString();
    }

    private Process launch(String name, Map<String, String> env, String... command) throws IOException {
        command[0] = RequiredPrograms.require(command[0], "pebble").toString();
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        builder.environment().putAll(env);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(command[0] + " cannot be started (Debian package 'pebble', listed in "
                    + ".ci/run): " + e.getMessage(), e);
        }
    }

    private String get(URI uri) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(tls.certificate())).connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered " + response.statusCode());
        }
        return response.body();
    }

    static SSLContext trusting(X509Certificate anchor) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("anchor", anchor);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate parse(String pem) throws IOException {
        try (InputStream in = new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException("not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** Stops pebble, then its DNS responder, each by its own process handle; waits until both are gone. */
    @Override
    public void close() throws InterruptedException {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        processes.clear();
    }
}
