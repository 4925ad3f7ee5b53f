package dev.homeport.testsupport.etcd;

import java.nio.file.Path;

/**
 * TLS on an etcd member's client port: its certificate and key (PEM), the CA it trusts for client
 * certificates, and whether it demands one ({@code --client-cert-auth}).
 */
public record EtcdTls(Path certFile, Path keyFile, Path caFile, boolean clientCertAuth) {
}
