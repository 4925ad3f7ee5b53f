package dev.homeport.e2e;

import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.transport.ClientTls;
import dev.homeport.client.transport.ClientTransport;
import dev.homeport.client.transport.RelayTrust;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.server.tls.CertificateFiles;
import dev.homeport.server.tls.RelayCertificate;
import dev.homeport.server.tls.ServerTls;
import io.netty.handler.ssl.SslContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;

/**
 * What carries a session between client and relay. Every scenario runs once per constant, through
 * {@link AcrossTransports}; a transport is added here by adapting the two configs (and, if clients
 * dial another port or name, {@link #relayPort} and {@link #relayHost}), and nothing else in the
 * suite changes. The TLS ones share one self-signed certificate, pinned by the client.
 */
enum Transport {
    /** Raw frames on a bare TCP connection. */
    PLAIN {
        @Override
        RelayServerConfig relay(RelayServerConfig config) {
            return config;
        }

        @Override
        RelayClientConfig client(RelayClientConfig config) {
            return config.withTransport(ClientTransport.plain());
        }
    },
    /** Raw frames inside TLS: the default deployment. */
    TLS {
        @Override
        RelayServerConfig relay(RelayServerConfig config) {
            return config.withTls(Certificate.server());
        }

        @Override
        RelayClientConfig client(RelayClientConfig config) {
            return config.withTransport(new ClientTransport(Certificate.client(config), null, null));
        }
    },
    /** Frames in WebSocket messages inside TLS ({@code wss://}), for networks that let only HTTPS out. */
    WEBSOCKET {
        @Override
        RelayServerConfig relay(RelayServerConfig config) {
            return config.withTls(Certificate.server());
        }

        @Override
        RelayClientConfig client(RelayClientConfig config) {
            return config.withTransport(new ClientTransport(Certificate.client(config),
                    RelayServerConfig.DEFAULT_WEBSOCKET_PATH, null));
        }

        /**
         * A client masks every WebSocket frame, and Netty's encoder reads the payload 8 bytes per
         * call; under the PARANOID leak detector each call records a stack trace, so client-to-relay
         * bytes crawl at a few MiB/s here (not in production, where buffers are not traced per access).
         */
        @Override
        long bulk(long bytes) {
            return bytes / 32;
        }
    },
    /**
     * The same WebSocket, on the relay's public HTTPS port (for clients that may reach only port
     * 443), by the certificate's name: that port routes by SNI. The control port still listens.
     */
    HTTPS_PORT {
        @Override
        RelayServerConfig relay(RelayServerConfig config) {
            throw new UnsupportedOperationException("the HTTPS port needs a port of its own: relay(config, sparePort)");
        }

        @Override
        RelayServerConfig relay(RelayServerConfig config, int sparePort) {
            return config.withTls(Certificate.server()).withHttps(HttpsSettings.on(new InetSocketAddress("127.0.0.1", sparePort),
                    Certificate.files()));
        }

        @Override
        RelayClientConfig client(RelayClientConfig config) {
            return WEBSOCKET.client(config);
        }

        @Override
        String relayHost() {
            return "localhost";
        }

        @Override
        int relayPort(RelayServerConfig relay) {
            return relay.https().listen().getPort();
        }

        @Override
        long bulk(long bytes) {
            return WEBSOCKET.bulk(bytes);
        }
    };

    /** The relay config a scenario asked for, made to listen on this transport. */
    abstract RelayServerConfig relay(RelayServerConfig config);

    /** As {@link #relay(RelayServerConfig)}, with a free port for a transport that needs a listener of its own. */
    RelayServerConfig relay(RelayServerConfig config, int sparePort) {
        return relay(config);
    }

    /** The name clients dial the relay by. */
    String relayHost() {
        return "127.0.0.1";
    }

    /** The port clients dial, of a relay started with {@code relay}'s config. */
    int relayPort(RelayServerConfig relay) {
        return relay.control().getPort();
    }

    /** Whether the session runs in WebSocket messages. */
    boolean webSocket() {
        return this == WEBSOCKET || this == HTTPS_PORT;
    }

    /** The client config a scenario asked for, made to dial over this transport. */
    abstract RelayClientConfig client(RelayClientConfig config);

    /** How much of a bulk scenario's {@code bytes} to send over this transport, so the suite stays quick. */
    long bulk(long bytes) {
        return bytes;
    }

    /** Sockets for a hand-made client (a {@link RawSession}) that trust exactly the test relay's certificate. */
    static javax.net.ssl.SSLSocketFactory rawTlsSockets() {
        return Certificate.rawTlsSockets();
    }

    /** The test relay's certificate and key files, for a relay started as a process ({@code --cert}, {@code --key}). */
    static RelayCertificate certificate() {
        return Certificate.CERTIFICATE;
    }

    /** One relay certificate for the whole run: generating a key pair per test would only cost time. */
    private static final class Certificate {
        private static final RelayCertificate CERTIFICATE = generate();

        private static RelayCertificate generate() {
            try {
                return RelayCertificate.selfSigned(Files.createTempDirectory("homeport-e2e-tls"), List.of("localhost", "127.0.0.1"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot generate the test relay's certificate", e);
            }
        }

        static SslContext server() {
            try {
                return ServerTls.context(CERTIFICATE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The same certificate as the public HTTPS port's certificate file. */
        static CertificateFiles files() {
            return CertificateFiles.load(List.of(new CertificateFiles.Pair(CERTIFICATE.certificateFile(), CERTIFICATE.keyFile())));
        }

        static javax.net.ssl.SSLSocketFactory rawTlsSockets() {
            try (java.io.InputStream pem = Files.newInputStream(CERTIFICATE.certificateFile())) {
                java.security.KeyStore trusted = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
                trusted.load(null, null);
                trusted.setCertificateEntry("relay",
                        java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(pem));
                javax.net.ssl.TrustManagerFactory tmf =
                        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trusted);
                javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
                tls.init(null, tmf.getTrustManagers(), null);
                return tls.getSocketFactory();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("cannot trust the test relay's certificate", e);
            }
        }

        /** Trusts exactly the test certificate, by its pinned fingerprint. */
        static SslContext client(RelayClientConfig config) {
            try {
                return ClientTls.context(new RelayTrust(config.serverHost() + ":" + config.serverPort(),
                        CERTIFICATE.fingerprint(), null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
