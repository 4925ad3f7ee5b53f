package dev.homeport.server.tls;

import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayCertificateTest {
    @TempDir
    Path dir;

    @Test
    void aGeneratedCertificateIsKeptSoItsFingerprintSurvivesARestart() throws Exception {
        RelayCertificate first = RelayCertificate.selfSigned(dir, List.of("relay.example.com", "127.0.0.1"));
        RelayCertificate again = RelayCertificate.selfSigned(dir, List.of("other.example.com"));

        assertThat(first.generated()).isTrue();
        assertThat(again.fingerprint()).isEqualTo(first.fingerprint()).startsWith("SHA256:").hasSize(7 + 43);
        assertThat(first.certificate().getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList())
                .containsExactly("relay.example.com", "127.0.0.1");
        assertThat(Files.getPosixFilePermissions(first.keyFile())).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(first.keyFile())).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void generatedFilesServeTlsWithBothEngines() throws Exception {
        RelayCertificate cert = RelayCertificate.selfSigned(dir, List.of("localhost"));
        SslContext context = ServerTls.context(cert);
        assertThat(context.isServer()).isTrue();
        assertThat(RelayCertificate.fromFiles(cert.certificateFile(), cert.keyFile()).fingerprint()).isEqualTo(cert.fingerprint());
    }

    @Test
    void missingOrWrongFilesAreReportedByOptionAndPath() throws IOException {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> RelayCertificate.fromFiles(missing, missing))
                .isInstanceOf(IOException.class).hasMessage("--cert " + missing + " is not a readable file");
        Path junk = dir.resolve("junk.pem");
        Files.writeString(junk, "not a certificate");
        assertThatThrownBy(() -> RelayCertificate.fromFiles(junk, junk))
                .isInstanceOf(IOException.class).hasMessageStartingWith(junk + " does not hold a PEM certificate");
    }
}
