package dev.homeport.server.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Self-signed certificates written as PEM files, for tests of certificate loading. */
public final class TestCertificates {
    /** Paths of one certificate and its key. */
    public record PemPair(Path certificate, Path key) {
    }

    private TestCertificates() {
    }

    public static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** A certificate valid from {@code notBefore} for {@code validity}, naming {@code dnsNames} (none: no subjectAltName). */
    public static X509Certificate certificate(KeyPair keys, Instant notBefore, Duration validity, String... dnsNames) throws Exception {
        X500Name subject = new X500Name("CN=" + (dnsNames.length > 0 ? dnsNames[0] : "no names"));
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(notBefore), Date.from(notBefore.plus(validity)), subject, keys.getPublic());
        if (dnsNames.length > 0) {
            GeneralName[] san = new GeneralName[dnsNames.length];
            for (int i = 0; i < dnsNames.length; i++) {
                san[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    /** Writes a fresh certificate for {@code dnsNames}, valid now, and its key, as {@code name}.crt and {@code name}.key in {@code dir}. */
    public static PemPair write(Path dir, String name, String... dnsNames) throws Exception {
        KeyPair keys = keys();
        return write(dir, name, certificate(keys, Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(30), dnsNames), keys);
    }

    public static PemPair write(Path dir, String name, X509Certificate certificate, KeyPair keys) throws Exception {
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        try (Writer out = Files.newBufferedWriter(cert, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(certificate);
        }
        try (Writer out = Files.newBufferedWriter(key, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
        }
        return new PemPair(cert, key);
    }
}
