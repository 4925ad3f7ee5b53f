package dev.homeport.server.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Certificates for the public HTTPS port from PEM files, each a certificate chain and its private
 * key. A certificate serves the DNS names in its subjectAltName: exact names, and wildcards
 * {@code *.example.com}, which match exactly one label ({@code a.example.com}, not
 * {@code example.com} nor {@code a.b.example.com}). An exact name wins over a wildcard. Every
 * file is checked at load, with an error that names the file and what is wrong with it.
 */
public final class CertificateFiles implements ServerCertificates {
    /** One certificate chain file and its key file, as given with {@code --https-cert} and {@code --https-key}. */
    public record Pair(Path certificate, Path key) {
    }

    private final Map<String, SslContext> exact;
    /** By the parent domain of the wildcard: {@code *.example.com} is under {@code example.com}. */
    private final Map<String, SslContext> wildcard;

    /** Each name's certificate's notAfter, for the dashboard. */
    private final Map<String, java.time.Instant> expiries;

    private CertificateFiles(Map<String, SslContext> exact, Map<String, SslContext> wildcard, Map<String, java.time.Instant> expiries) {
        this.exact = Map.copyOf(exact);
        this.wildcard = Map.copyOf(wildcard);
        this.expiries = Map.copyOf(expiries);
    }

    @Override
    public Map<String, java.time.Instant> expiries() {
        return expiries;
    }

    /** Loads and checks every pair; throws IllegalArgumentException with a message for the operator. */
    public static CertificateFiles load(List<Pair> pairs) {
        Map<String, SslContext> exact = new LinkedHashMap<>();
        Map<String, SslContext> wildcard = new LinkedHashMap<>();
        Map<String, Path> origin = new LinkedHashMap<>();
        Map<String, java.time.Instant> expiries = new LinkedHashMap<>();
        for (Pair pair : pairs) {
            List<X509Certificate> chain = readChain(pair.certificate());
            PrivateKey key = readKey(pair.key());
            requireMatch(chain.get(0), key, pair);
            SslContext context;
            try {
                context = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                        .sslProvider(ServerTls.provider())
                        .protocols(ServerTls.PROTOCOLS)
                        .build();
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot use " + pair.certificate() + " with " + pair.key() + ": " + e.getMessage());
            }
            for (String name : dnsNames(chain.get(0), pair.certificate())) {
                Path previous = origin.putIfAbsent(name, pair.certificate());
                if (previous != null) {
                    throw new IllegalArgumentException("the name " + name + " is in both " + previous + " and "
                            + pair.certificate() + "; give each name one certificate");
                }
                expiries.put(name, chain.get(0).getNotAfter().toInstant());
                if (name.startsWith("*.")) {
                    wildcard.put(name.substring(2), context);
                } else {
                    exact.put(name, context);
                }
            }
        }
        return new CertificateFiles(exact, wildcard, expiries);
    }

    @Override
    public SslContext forHostname(String hostname) {
        SslContext context = exact.get(hostname);
        if (context != null) {
            return context;
        }
        int dot = hostname.indexOf('.');
        return dot > 0 ? wildcard.get(hostname.substring(dot + 1)) : null;
    }

    /** The names served, wildcards as {@code *.domain}, for the start-up line. */
    public List<String> names() {
        List<String> names = new ArrayList<>(exact.keySet());
        wildcard.keySet().forEach(d -> names.add("*." + d));
        return names;
    }

    private static List<X509Certificate> readChain(Path file) {
        requireReadable(file, "--https-cert");
        Collection<? extends Certificate> read;
        try (InputStream in = Files.newInputStream(file)) {
            read = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--https-cert " + file + " does not hold PEM certificates: " + e.getMessage());
        }
        if (read.isEmpty()) {
            throw new IllegalArgumentException("--https-cert " + file + " holds no PEM certificate");
        }
        List<X509Certificate> chain = read.stream().map(c -> (X509Certificate) c).toList();
        try {
            chain.get(0).checkValidity();
        } catch (CertificateExpiredException e) {
            throw new IllegalArgumentException("--https-cert " + file + " expired on " + chain.get(0).getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new IllegalArgumentException("--https-cert " + file + " is not valid before " + chain.get(0).getNotBefore().toInstant());
        }
        return chain;
    }

    private static PrivateKey readKey(Path file) {
        requireReadable(file, "--https-key");
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(in)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o; (o = pem.readObject()) != null; ) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
                    throw new IllegalArgumentException("--https-key " + file + " is encrypted; give the key unencrypted "
                            + "(e.g. openssl pkey -in KEY -out KEY.plain) and protect the file instead");
                }
                // EC PARAMETERS and the like may precede the key.
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--https-key " + file + " is not a PEM file: " + e.getMessage());
        }
        throw new IllegalArgumentException("--https-key " + file + " holds no PEM private key");
    }

    /** Signs with the key and verifies with the certificate: the only check that works for every key type. */
    private static void requireMatch(X509Certificate certificate, PrivateKey key, Pair pair) {
        PublicKey publicKey = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            // "ECDSA" when Bouncy Castle is a registered provider (ACME registers it) and parsed the key.
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new IllegalArgumentException("--https-key " + pair.key() + ": unsupported key type " + key.getAlgorithm());
        };
        boolean matches;
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // e.g. an RSA key for an EC certificate
        }
        if (!matches) {
            throw new IllegalArgumentException("--https-key " + pair.key() + " does not match the certificate in " + pair.certificate());
        }
    }

    private static List<String> dnsNames(X509Certificate certificate, Path file) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> san = certificate.getSubjectAlternativeNames();
            if (san != null) {
                for (List<?> entry : san) {
                    if (Integer.valueOf(2).equals(entry.get(0))) { // dNSName
                        String name = ((String) entry.get(1)).toLowerCase(Locale.ROOT);
                        if (!names.contains(name)) {
                            names.add(name);
                        }
                    }
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--https-cert " + file + ": unreadable subjectAltName: " + e.getMessage());
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("--https-cert " + file + " names no DNS host (subjectAltName), so it serves no name");
        }
        return names;
    }

    private static void requireReadable(Path file, String option) {
        if (!Files.isReadable(file) || Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + " is not a readable file");
        }
    }
}
