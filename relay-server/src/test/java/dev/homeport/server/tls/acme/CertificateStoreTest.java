package dev.homeport.server.tls.acme;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.shredzone.acme4j.util.KeyPairUtils;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The ACME state on disk: what is saved loads back, keys are private, a damaged file costs only its own name. */
class CertificateStoreTest {
    @TempDir
    Path dir;

    @Test
    void aSavedCertificateLoadsBackWithItsKeyAndTheKeyIsReadableByTheOwnerOnly() throws Exception {
        CertificateStore store = new CertificateStore(dir);
        IssuedCertificate saved = issued("web.example.com", Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(89)));
        store.save(saved);

        List<IssuedCertificate> loaded = store.loadAll();
        assertThat(loaded).singleElement().satisfies(c -> {
            assertThat(c.hostname()).isEqualTo("web.example.com");
            assertThat(c.serial()).isEqualTo(saved.serial());
            assertThat(c.key().getPublic()).isEqualTo(saved.key().getPublic());
            assertThat(c.context()).isNotNull();
        });
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("certs/web.example.com.key"))))
                .isEqualTo("rw-------");
    }

    @Test
    void theAccountKeyIsCreatedOnceAndKept() throws Exception {
        CertificateStore store = new CertificateStore(dir);
        KeyPair first = store.accountKey();
        assertThat(new CertificateStore(dir).accountKey().getPublic()).isEqualTo(first.getPublic());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("account.key")))).isEqualTo("rw-------");
    }

    @Test
    void aDamagedCertificateIsSkippedAndTheOthersStillLoad() throws Exception {
        CertificateStore store = new CertificateStore(dir);
        store.save(issued("good.example.com", Instant.now(), Instant.now().plus(Duration.ofDays(90))));
        Files.writeString(dir.resolve("certs/bad.example.com.crt"), "not a certificate");
        Files.writeString(dir.resolve("certs/bad.example.com.key"), "not a key");

        assertThat(store.loadAll()).extracting(IssuedCertificate::hostname).containsExactly("good.example.com");
    }

    @Test
    void renewalIsDueWhenLessThanTheFractionOfTheLifetimeIsLeft() throws Exception {
        Instant start = Instant.parse("2030-01-01T00:00:00Z");
        IssuedCertificate c = issued("web.example.com", start, start.plus(Duration.ofDays(90)));
        assertThat(c.renewalDue(start.plus(Duration.ofDays(59)), 1.0 / 3)).isFalse();
        assertThat(c.renewalDue(start.plus(Duration.ofDays(61)), 1.0 / 3)).isTrue();
        assertThat(c.renewalDue(start.plus(Duration.ofDays(100)), 1.0 / 3)).as("expired").isTrue();
        assertThat(c.renewalDue(start.plus(Duration.ofSeconds(1)), 1.0)).as("fraction 1: always").isTrue();
    }

    /** A self-signed stand-in for an issued certificate. */
    static IssuedCertificate issued(String host, Instant notBefore, Instant notAfter) throws Exception {
        CertificateStore.registerBouncyCastle();
        KeyPair key = KeyPairUtils.createECKeyPair("secp256r1"); // as CertificateOrder makes them
        X500Name name = new X500Name("CN=" + host);
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(notBefore.getEpochSecond()), Date.from(notBefore.truncatedTo(ChronoUnit.SECONDS)),
                Date.from(notAfter.truncatedTo(ChronoUnit.SECONDS)), name, key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        return IssuedCertificate.of(host, key, List.of(cert));
    }
}
