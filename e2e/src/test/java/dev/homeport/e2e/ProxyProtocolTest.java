package dev.homeport.e2e;

import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.server.tls.CertificateFiles;
import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --proxy-protocol} against a real consumer, Debian's nginx with {@code listen ... proxy_protocol}:
 * a public connection from 127.0.0.5 (not the client's 127.0.0.1) through a TCP tunnel and through a
 * TLS passthrough tunnel, and nginx answers and logs 127.0.0.5 and the public socket's port as
 * {@code $proxy_protocol_addr} and {@code $proxy_protocol_port}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@RequiresProgram(value = NginxProcess.PROGRAM, debianPackage = NginxProcess.PACKAGE)
class ProxyProtocolTest {
    private static final String TOKEN = "proxy-protocol-token";
    private static final InetAddress PUBLIC_PEER = address("127.0.0.5");

    @TempDir
    Path dir;

    @Test
    void nginxBehindATcpTunnelSeesThePublicPeersAddressAndPort() throws Exception {
        int ports = FreePorts.block(2);
        try (RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                new PortRange(ports, ports + 1), new SingleToken(TOKEN)).withShutdownGrace(Duration.ZERO));
             NginxProcess nginx = NginxProcess.start(Files.createDirectories(dir.resolve("nginx")), FreePorts.one(), null);
             ClientCliProcess client = ClientCliProcess.start(List.of("tcp", Integer.toString(nginx.port), "--proxy-protocol",
                     "--server", "tcp://127.0.0.1:" + relay.controlAddress().getPort(), "--token", TOKEN, "--insecure-plaintext",
                     "--state-dir", dir.resolve("state").toString()), Map.of(), dir.resolve("client.log"))) {
            String out = client.awaitOutput(l -> l.startsWith("tcp://"), Duration.ofSeconds(60));
            int publicPort = Integer.parseInt(out.lines().filter(l -> l.startsWith("tcp://")).findFirst().orElseThrow()
                    .replaceAll(".*:", ""));
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress(PUBLIC_PEER, 0));
                s.connect(new InetSocketAddress("127.0.0.1", publicPort), 5000);
                int peerPort = s.getLocalPort();
                RawHttp.Response r = new RawHttp(s).send(RawHttp.get("app", "/who", "Connection: close")).read();
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("127.0.0.5 " + peerPort + "\n");
                awaitLogLine(nginx, "127.0.0.5 " + peerPort + " 127.0.0.1 \"GET /who HTTP/1.1\"");
            }
        }
    }

    @Test
    void nginxBehindATlsPassthroughTunnelReadsTheHeaderBeforeItsOwnTlsAndSeesThePublicPeer() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        TestCa ca = TestCa.create("Proxy protocol CA", pki);
        TestCa.Issued relayCertificate = ca.issue("relay.example.com");
        TestCa.Issued serviceCertificate = ca.issue("nas.example.com");
        int ports = FreePorts.block(2);
        try (RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                        new PortRange(ports, ports + 1), new SingleToken(TOKEN)).withShutdownGrace(Duration.ZERO)
                .withHttps(HttpsSettings.on(new InetSocketAddress("127.0.0.1", 0), CertificateFiles.load(List.of(
                        new CertificateFiles.Pair(relayCertificate.certificateFile(), relayCertificate.keyFile()))))));
             NginxProcess nginx = NginxProcess.start(Files.createDirectories(dir.resolve("nginx")), FreePorts.one(), serviceCertificate);
             ClientCliProcess client = ClientCliProcess.start(List.of("tls", Integer.toString(nginx.port), "--hostname",
                     "nas.example.com", "--proxy-protocol", "--server", "tcp://127.0.0.1:" + relay.controlAddress().getPort(),
                     "--token", TOKEN, "--insecure-plaintext", "--state-dir", dir.resolve("state").toString()), Map.of(),
                     dir.resolve("client.log"))) {
            client.awaitOutput(l -> l.startsWith("tls://nas.example.com"), Duration.ofSeconds(60));
            try (Socket plain = new Socket()) {
                plain.bind(new InetSocketAddress(PUBLIC_PEER, 0));
                plain.connect(relay.httpsAddress(), 5000);
                int peerPort = plain.getLocalPort();
                SSLSocket tls = (SSLSocket) ca.clientContext().getSocketFactory().createSocket(plain, "nas.example.com",
                        relay.httpsAddress().getPort(), true);
                SSLParameters p = tls.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName("nas.example.com")));
                p.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(p);
                tls.startHandshake();
                // nginx's own certificate: the relay passed the TLS through untouched.
                assertThat(tls.getSession().getPeerCertificates()[0]).isEqualTo(serviceCertificate.certificate());
                RawHttp.Response r = new RawHttp(tls).send(RawHttp.get("nas.example.com", "/who", "Connection: close")).read();
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("127.0.0.5 " + peerPort + "\n");
                awaitLogLine(nginx, "127.0.0.5 " + peerPort + " 127.0.0.1 \"GET /who HTTP/1.1\"");
            }
        }
    }

    private static void awaitLogLine(NginxProcess nginx, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!nginx.accessLog().lines().toList().contains(line) && System.nanoTime() < deadline) {
            Thread.sleep(50); // nginx writes its access log line after the answer
        }
        assertThat(nginx.accessLog().lines().toList()).contains(line);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
