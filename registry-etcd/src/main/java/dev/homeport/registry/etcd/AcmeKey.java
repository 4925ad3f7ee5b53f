package dev.homeport.registry.etcd;

/**
 * What a key under {@code acme/} names ({@link EtcdKeys}): an HTTP-01 answer (host and token), a
 * TLS-ALPN-01 challenge certificate or an issued certificate (host), an order lock, or nothing known.
 */
record AcmeKey(Kind kind, String host, String token) {
    enum Kind { HTTP_ANSWER, ALPN_PROOF, CERTIFICATE, ORDER, OTHER }

    private static final AcmeKey OTHER = new AcmeKey(Kind.OTHER, null, null);

    static AcmeKey parse(String prefix, String key) {
        if (!key.startsWith(prefix)) {
            return OTHER;
        }
        String rest = key.substring(prefix.length());
        if (rest.startsWith(EtcdKeys.ACME_HTTP)) {
            String path = rest.substring(EtcdKeys.ACME_HTTP.length());
            int slash = path.indexOf('/');
            return slash <= 0 || slash == path.length() - 1 || path.indexOf('/', slash + 1) >= 0 ? OTHER
                    : new AcmeKey(Kind.HTTP_ANSWER, path.substring(0, slash), path.substring(slash + 1));
        }
        if (rest.startsWith(EtcdKeys.ACME_ALPN)) {
            return single(Kind.ALPN_PROOF, rest.substring(EtcdKeys.ACME_ALPN.length()));
        }
        if (rest.startsWith(EtcdKeys.ACME_CERTS)) {
            return single(Kind.CERTIFICATE, rest.substring(EtcdKeys.ACME_CERTS.length()));
        }
        if (rest.startsWith(EtcdKeys.ACME_ORDERS)) {
            return single(Kind.ORDER, rest.substring(EtcdKeys.ACME_ORDERS.length()));
        }
        return OTHER;
    }

    private static AcmeKey single(Kind kind, String host) {
        return host.isEmpty() || host.indexOf('/') >= 0 ? OTHER : new AcmeKey(kind, host, null);
    }
}
