package dev.homeport.server.tls.acme;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.shredzone.acme4j.util.KeyPairUtils;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A key pair and its certificate chain as one PEM text, the key first: how a certificate (or a
 * TLS-ALPN-01 challenge certificate) travels between the relays of a cluster.
 */
final class CertificatePem {
    private static final String FIRST_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

    record Decoded(KeyPair key, List<X509Certificate> chain) {
    }

    private CertificatePem() {
    }

    static String encode(KeyPair key, List<X509Certificate> chain) throws IOException {
        StringWriter out = new StringWriter();
        KeyPairUtils.writeKeyPair(key, out);
        writeChain(chain, out);
        return out.toString();
    }

    /** The chain as PEM certificates, leaf first. */
    static void writeChain(List<X509Certificate> chain, Writer out) throws IOException {
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (X509Certificate c : chain) {
                pem.writeObject(c);
            }
        }
    }

    /** Parses what {@link #encode} wrote; anything else is an {@link IOException} that says what is missing. */
    static Decoded decode(String pem) throws IOException {
        int certificates = pem.indexOf(FIRST_CERTIFICATE);
        if (certificates <= 0) {
            throw new IOException("not a PEM key followed by PEM certificates");
        }
        KeyPair key;
        try {
            key = KeyPairUtils.readKeyPair(new StringReader(pem.substring(0, certificates)));
        } catch (IOException | RuntimeException e) {
            throw new IOException("the PEM key does not parse: " + e.getMessage(), e);
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            byte[] bytes = pem.substring(certificates).getBytes(StandardCharsets.US_ASCII);
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
                chain.add((X509Certificate) c);
            }
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IOException("the PEM certificates do not parse: " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IOException("no PEM certificate after the key");
        }
        return new Decoded(key, chain);
    }
}
