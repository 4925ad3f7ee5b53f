package dev.homeport.e2e;

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

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * A certificate authority made for one test: it issues server certificates for chosen DNS names
 * (wildcards included) as PEM files, and gives public clients a TLS context that trusts it alone.
 */
final class TestCa {
    /** A certificate the CA issued, as PEM files, and its parts. */
    record Issued(Path certificateFile, Path keyFile, X509Certificate certificate, KeyPair keys) {
    }

    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;
    private final Path dir;
    private int issued;

    private TestCa(String name, Path dir) throws Exception {
        this.name = name;
        this.dir = dir;
        this.keys = newKeys();
        this.certificate = sign("CN=" + name, keys, null, true, Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(30));
    }

    static TestCa create(String name, Path dir) throws Exception {
        return new TestCa(name, dir);
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** A server certificate for {@code dnsNames}, valid from yesterday for 30 days. */
    Issued issue(String... dnsNames) throws Exception {
        return issue(Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(30), dnsNames);
    }

    Issued issue(Instant notBefore, Duration validity, String... dnsNames) throws Exception {
        KeyPair serverKeys = newKeys();
        X509Certificate cert = sign("CN=" + dnsNames[0], serverKeys, dnsNames, false, notBefore, validity);
        int n = ++issued;
        String base = name.replaceAll("[^A-Za-z0-9]", "") + "-" + n;
        Path certFile = dir.resolve(base + ".crt");
        Path keyFile = dir.resolve(base + ".key");
        try (Writer out = Files.newBufferedWriter(certFile, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(cert);
            pem.writeObject(certificate); // the chain: leaf, then the CA
        }
        try (Writer out = Files.newBufferedWriter(keyFile, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(serverKeys.getPrivate(), null));
        }
        return new Issued(certFile, keyFile, cert, serverKeys);
    }

    /**
     * This CA alone as a PKCS12 trust store at {@code file}, for another JVM's default TLS trust
     * ({@code -Djavax.net.ssl.trustStore=file -Djavax.net.ssl.trustStorePassword=password}).
     */
    Path writeTrustStore(Path file, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", certificate);
        try (var out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    /** A client TLS context that trusts this CA and nothing else. */
    SSLContext clientContext() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), new SecureRandom());
        return context;
    }

    private X509Certificate sign(String subject, KeyPair subjectKeys, String[] dnsNames, boolean ca, Instant notBefore,
                                 Duration validity) throws Exception {
        X500Name issuerName = new X500Name(ca ? subject : "CN=" + name);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(64, new SecureRandom()),
                Date.from(notBefore), Date.from(notBefore.plus(validity)), new X500Name(subject), subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (dnsNames != null) {
            GeneralName[] san = new GeneralName[dnsNames.length];
            for (int i = 0; i < dnsNames.length; i++) {
                san[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca ? subjectKeys.getPrivate() : keys.getPrivate())));
    }

    private static KeyPair newKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }
}
