package dev.homeport.e2e;

import dev.homeport.client.Backoff;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.transport.ClientTls;
import dev.homeport.client.transport.ClientTransport;
import dev.homeport.client.transport.RelayTrust;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.tls.RelayCertificate;
import dev.homeport.server.tls.ServerTls;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay with a certificate from a CA the client's system trusts is accepted with no pin and no
 * known-relays record, for the name it was issued to, and refused for any other name.
 * The "system" trust store here is a PKCS#12 file named by javax.net.ssl.trustStore.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaSignedRelayTest {
    private static final String TOKEN = "ca-test-token";

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private String savedTrustStore;
    private String savedTrustStorePassword;

    @AfterEach
    void restore() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        restore("javax.net.ssl.trustStore", savedTrustStore);
        restore("javax.net.ssl.trustStorePassword", savedTrustStorePassword);
    }

    @Test
    void aCaSignedRelayIsTrustedForItsNameWithoutPinOrRecordAndRefusedForAnotherName() throws Exception {
        KeyPair caKeys = keys();
        X509Certificate ca = certificate("CN=Homeport Test CA", caKeys, "CN=Homeport Test CA", caKeys, null, true);
        KeyPair relayKeys = keys();
        X509Certificate leaf = certificate("CN=localhost", relayKeys, "CN=Homeport Test CA", caKeys, "localhost", false);
        Path certFile = pem(dir.resolve("relay.crt"), leaf, null);
        Path keyFile = pem(dir.resolve("relay.key"), null, relayKeys);
        trustOnly(ca);

        int base = FreePorts.block(3);
        RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                        new PortRange(base + 1, base + 2), new SingleToken(TOKEN))
                .withTls(ServerTls.context(RelayCertificate.fromFiles(certFile, keyFile))).withShutdownGrace(Duration.ZERO));
        open.add(relay);
        LocalService echo = LocalService.start(c -> c.getInputStream().transferTo(c.getOutputStream()));
        open.add(echo);

        RelayClient byName = client("localhost", base, echo.port());
        int port = URI.create(byName.bound().get(15, TimeUnit.SECONDS).get("t")).getPort();
        assertThat(SecurityTest.echoThrough(port, "ca-signed")).isEqualTo("ca-signed");

        RelayClient byOtherName = client("127.0.0.1", base, echo.port());
        assertThat(byOtherName.failure().get(15, TimeUnit.SECONDS))
                .contains("presented a certificate no trusted CA signed").contains("--fingerprint");
    }

    private RelayClient client(String host, int controlPort, int localPort) throws Exception {
        ClientTransport tls = new ClientTransport(ClientTls.context(new RelayTrust(host + ":" + controlPort, null, null)), null, null);
        RelayClientConfig config = RelayClientConfig.of(host, controlPort, TOKEN, List.of(new TunnelSpec("t", "127.0.0.1", localPort, 0)))
                .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
                .withShutdownGrace(Duration.ZERO)
                .withTransport(tls);
        RelayClient c = RelayClient.start(config, new ClientEvents() { });
        open.add(c);
        return c;
    }

    private void trustOnly(X509Certificate ca) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("homeport-test-ca", ca);
        Path file = dir.resolve("truststore.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, "changeit".toCharArray());
        }
        savedTrustStore = System.getProperty("javax.net.ssl.trustStore");
        savedTrustStorePassword = System.getProperty("javax.net.ssl.trustStorePassword");
        System.setProperty("javax.net.ssl.trustStore", file.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
                                               String dnsName, boolean isCa) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(3600)), Date.from(now.plusSeconds(86_400)), new X500Name(subject), subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (dnsName != null) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static Path pem(Path file, X509Certificate cert, KeyPair keys) throws Exception {
        try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(cert != null ? cert : new JcaPKCS8Generator(keys.getPrivate(), null));
        }
        return file;
    }
}
