package dev.homeport.server.tls;

import dev.homeport.protocol.transport.CertificateFingerprint;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * The relay's TLS certificate and key, as PEM files: given by the operator, or generated once
 * (self-signed, ECDSA P-256, ten years) and kept in the state directory so that its fingerprint,
 * which clients pin or remember, survives restarts.
 */
public record RelayCertificate(Path certificateFile, Path keyFile, X509Certificate certificate, boolean generated) {
    public static final String CERT_NAME = "relay.crt";
    public static final String KEY_NAME = "relay.key";

    public String fingerprint() {
        return CertificateFingerprint.of(certificate);
    }

    public static RelayCertificate fromFiles(Path cert, Path key) throws IOException {
        requireReadable(cert, "--cert");
        requireReadable(key, "--key");
        return new RelayCertificate(cert, key, readCertificate(cert), false);
    }

    /** Loads the generated certificate from {@code stateDir}, generating it on first start. */
    public static RelayCertificate selfSigned(Path stateDir, List<String> names) throws IOException {
        Path cert = stateDir.resolve(CERT_NAME);
        Path key = stateDir.resolve(KEY_NAME);
        if (Files.exists(cert) && Files.exists(key)) {
            return new RelayCertificate(cert, key, readCertificate(cert), true);
        }
        Files.createDirectories(stateDir);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            X509Certificate x509 = sign(pair, names);
            writeAtomically(key, w -> w.writeObject(new JcaPKCS8Generator(pair.getPrivate(), null)), true);
            writeAtomically(cert, w -> w.writeObject(x509), false);
            return new RelayCertificate(cert, key, x509, true);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("cannot generate the relay's certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(KeyPair pair, List<String> names) throws GeneralSecurityException,
            org.bouncycastle.operator.OperatorCreationException, IOException {
        X500Name subject = new X500Name("CN=" + (names.isEmpty() ? "homeport relay" : names.get(0)) + ",O=Homeport relay");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), subject, pair.getPublic());
        List<GeneralName> san = new ArrayList<>();
        for (String name : names) {
            boolean ip = name.matches("[0-9.]+") || name.contains(":");
            san.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName,
                    ip ? InetAddress.getByName(name).getHostAddress() : name));
        }
        if (!san.isEmpty()) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(GeneralName[]::new)));
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }

    private interface PemContent {
        void write(JcaPEMWriter writer) throws IOException;
    }

    private static void writeAtomically(Path file, PemContent content, boolean secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            content.write(pem);
        }
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the directory's ACL applies.
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static X509Certificate readCertificate(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " does not hold a PEM certificate: " + e.getMessage(), e);
        }
    }

    private static void requireReadable(Path file, String option) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException(option + " " + file + " is not a readable file");
        }
    }
}
