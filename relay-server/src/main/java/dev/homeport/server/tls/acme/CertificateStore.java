package dev.homeport.server.tls.acme;

import dev.homeport.server.tunnel.HostName;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.shredzone.acme4j.util.KeyPairUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The ACME state on disk, in a directory of its own: the account key ({@code account.key}) and, per
 * host name, the certificate chain ({@code certs/HOST.crt}) and its key ({@code certs/HOST.key}),
 * all PEM. Files are replaced atomically, so a crash never leaves half a certificate; keys are
 * readable by the owner only.
 */
final class CertificateStore {
    private static final Logger log = LoggerFactory.getLogger(CertificateStore.class);

    private final Path dir;
    private final Path certs;

    CertificateStore(Path dir) {
        registerBouncyCastle();
        this.dir = dir;
        this.certs = dir.resolve("certs");
    }

    /** acme4j reads and writes keys, signs requests and builds CSRs with Bouncy Castle's provider. */
    static void registerBouncyCastle() {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    Path directory() {
        return dir;
    }

    /** The account key, created on first use. */
    KeyPair accountKey() throws IOException {
        Path file = dir.resolve("account.key");
        if (Files.exists(file)) {
            return readKey(file);
        }
        KeyPair pair = KeyPairUtils.createECKeyPair("secp256r1");
        Files.createDirectories(dir);
        write(file, w -> KeyPairUtils.writeKeyPair(pair, w), true);
        log.info("event=acme_account_key_created file={}", file);
        return pair;
    }

    /** Every certificate kept on disk; a file that cannot be read is logged and skipped (it will be issued again). */
    List<IssuedCertificate> loadAll() throws IOException {
        List<IssuedCertificate> all = new ArrayList<>();
        if (!Files.isDirectory(certs)) {
            return all;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(certs, "*.crt")) {
            for (Path crt : files) {
                String name = crt.getFileName().toString();
                String host = name.substring(0, name.length() - ".crt".length());
                if (!HostName.isValid(host)) {
                    continue;
                }
                try {
                    all.add(IssuedCertificate.of(host, readKey(certs.resolve(host + ".key")), readChain(crt)));
                } catch (IOException | RuntimeException e) {
                    log.warn("event=acme_certificate_unreadable host={} file={} reason=\"{}\"", host, crt, e.getMessage());
                }
            }
        }
        return all;
    }

    /** Synchronized: the ACME thread saves what it ordered, the registry's watch what another relay did. */
    synchronized void save(IssuedCertificate cert) throws IOException {
        Files.createDirectories(certs);
        // The key first: a chain on disk always has its key beside it.
        write(certs.resolve(cert.hostname() + ".key"), w -> KeyPairUtils.writeKeyPair(cert.key(), w), true);
        write(certs.resolve(cert.hostname() + ".crt"), w -> CertificatePem.writeChain(cert.chain(), w), false);
    }

    private static KeyPair readKey(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return KeyPairUtils.readKeyPair(in);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " does not hold a PEM key pair: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> readChain(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) c);
            }
            if (chain.isEmpty()) {
                throw new IOException(file + " holds no certificate");
            }
            return chain;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " does not hold PEM certificates: " + e.getMessage(), e);
        }
    }

    private interface Content {
        void write(Writer out) throws IOException;
    }

    private static void write(Path file, Content content, boolean secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
            if (secret) {
                restrict(tmp);
            }
            content.write(out);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the directory's ACL applies.
        }
    }
}
