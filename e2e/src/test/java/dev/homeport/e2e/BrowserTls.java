package dev.homeport.e2e;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.util.List;

/** TLS connections to a relay's public HTTPS port as a browser opens them: SNI, chain and host name checked. */
final class BrowserTls {
    private BrowserTls() {
    }

    /**
     * Connects to {@code 127.0.0.1:port} naming {@code host} by SNI, trusting what {@code trusting}
     * trusts, and finishes the handshake; the socket reads with a 10 s timeout.
     */
    static SSLSocket open(SSLContext trusting, int port, String host) throws IOException {
        SSLSocket tls = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", port);
        try {
            SSLParameters p = tls.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            p.setServerNames(List.of(new SNIHostName(host)));
            tls.setSSLParameters(p);
            tls.setSoTimeout(10_000);
            tls.startHandshake();
            return tls;
        } catch (IOException | RuntimeException e) {
            tls.close();
            throw e;
        }
    }
}
