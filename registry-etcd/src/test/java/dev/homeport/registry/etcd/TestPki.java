package dev.homeport.registry.etcd;

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

/** A CA made for one test, issuing certificates for 127.0.0.1 as PEM files (certificate, PKCS#8 key), as etcd and jetcd read them. */
final class TestPki {
    /** One certificate's PEM files. */
    record Pem(Path certificate, Path key) {
    }

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caFile;

    TestPki(Path dir) throws Exception {
        this.dir = dir;
        this.caKeys = keys();
        this.ca = sign("CN=homeport test etcd CA", caKeys.getPublic(), true);
        this.caFile = dir.resolve("ca.crt");
        write(caFile, ca);
    }

    Path caFile() {
        return caFile;
    }

    /** A certificate for {@code name} valid for 127.0.0.1 and localhost, as server and as client. */
    Pem issue(String name) throws Exception {
        KeyPair keys = keys();
        Pem pem = new Pem(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
        write(pem.certificate(), sign("CN=" + name, keys.getPublic(), false));
        write(pem.key(), new JcaPKCS8Generator(keys.getPrivate(), null));
        return pem;
    }

    private X509Certificate sign(String subject, java.security.PublicKey key, boolean isCa) throws Exception {
        Instant from = Instant.now().minus(Duration.ofDays(1));
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=homeport test etcd CA"),
                new BigInteger(64, new SecureRandom()), Date.from(from), Date.from(from.plus(Duration.ofDays(3))), new X500Name(subject), key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (!isCa) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static void write(Path file, Object pemObject) throws Exception {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(pemObject);
        }
    }
}
