package dev.homeport.server.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Certificate files for the HTTPS port: which names each serves, and a clear error for every bad file. */
class CertificateFilesTest {
    @TempDir
    Path dir;

    private static CertificateFiles load(TestCertificates.PemPair... pairs) {
        return CertificateFiles.load(List.of(pairs).stream().map(p -> new CertificateFiles.Pair(p.certificate(), p.key())).toList());
    }

    @Test
    void aWildcardMatchesExactlyOneLabelAndAnExactNameWinsOverIt() throws Exception {
        CertificateFiles files = load(TestCertificates.write(dir, "wild", "*.example.com"),
                TestCertificates.write(dir, "lab", "lab.example.com", "LAB.example.org"));
        assertThat(files.forHostname("jupyter.example.com")).isNotNull();
        assertThat(files.forHostname("lab.example.com")).isNotNull().isNotSameAs(files.forHostname("jupyter.example.com"));
        assertThat(files.forHostname("lab.example.org")).isSameAs(files.forHostname("lab.example.com"));
        assertThat(files.forHostname("example.com")).isNull();
        assertThat(files.forHostname("a.b.example.com")).isNull();
        assertThat(files.forHostname("example.org")).isNull();
        assertThat(files.names()).containsExactlyInAnyOrder("lab.example.com", "lab.example.org", "*.example.com");
    }

    @Test
    void aChainOfSourcesAnswersWithTheFirstThatHoldsTheName() throws Exception {
        CertificateFiles first = load(TestCertificates.write(dir, "a", "a.example.com"));
        CertificateFiles second = load(TestCertificates.write(dir, "b", "a.example.com", "b.example.com"));
        CertificateChain chain = new CertificateChain(List.of(first, second));
        assertThat(chain.forHostname("a.example.com")).isSameAs(first.forHostname("a.example.com"));
        assertThat(chain.forHostname("b.example.com")).isSameAs(second.forHostname("b.example.com"));
        assertThat(chain.forHostname("c.example.com")).isNull();
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() throws Exception {
        TestCertificates.PemPair a = TestCertificates.write(dir, "a", "a.example.com");
        TestCertificates.PemPair b = TestCertificates.write(dir, "b", "b.example.com");
        assertThatThrownBy(() -> load(new TestCertificates.PemPair(a.certificate(), b.key())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--https-key " + b.key() + " does not match the certificate in " + a.certificate());
    }

    @Test
    void missingUnreadableOrWrongFilesAreRefusedNamingTheFile() throws Exception {
        TestCertificates.PemPair ok = TestCertificates.write(dir, "ok", "ok.example.com");
        Path missing = dir.resolve("missing.crt");
        assertThatThrownBy(() -> load(new TestCertificates.PemPair(missing, ok.key())))
                .hasMessage("--https-cert " + missing + " is not a readable file");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        assertThatThrownBy(() -> load(new TestCertificates.PemPair(garbage, ok.key())))
                .hasMessageStartingWith("--https-cert " + garbage + " ");
        assertThatThrownBy(() -> load(new TestCertificates.PemPair(ok.certificate(), garbage)))
                .hasMessage("--https-key " + garbage + " holds no PEM private key");
        assertThatThrownBy(() -> load(new TestCertificates.PemPair(ok.certificate(), ok.certificate())))
                .hasMessage("--https-key " + ok.certificate() + " holds no PEM private key");
    }

    @Test
    void aCertificateWithoutDnsNamesOrOutOfItsValidityIsRefused() throws Exception {
        TestCertificates.PemPair nameless = TestCertificates.write(dir, "nameless");
        assertThatThrownBy(() -> load(nameless)).hasMessageContaining(nameless.certificate().toString())
                .hasMessageContaining("names no DNS host (subjectAltName)");
        KeyPair keys = TestCertificates.keys();
        TestCertificates.PemPair expired = TestCertificates.write(dir, "expired", TestCertificates.certificate(keys,
                Instant.now().minus(Duration.ofDays(10)), Duration.ofDays(2), "old.example.com"), keys);
        assertThatThrownBy(() -> load(expired)).hasMessageStartingWith("--https-cert " + expired.certificate() + " expired on ");
    }

    @Test
    void oneNameInTwoCertificatesIsRefused() throws Exception {
        TestCertificates.PemPair a = TestCertificates.write(dir, "a", "x.example.com");
        TestCertificates.PemPair b = TestCertificates.write(dir, "b", "x.example.com");
        assertThatThrownBy(() -> load(a, b)).hasMessageContaining("x.example.com is in both");
    }
}
