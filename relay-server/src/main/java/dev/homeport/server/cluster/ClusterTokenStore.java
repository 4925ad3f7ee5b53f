package dev.homeport.server.cluster;

import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;

import java.util.Map;

/**
 * The cluster's tokens in the registry, for {@code token add|list|revoke --etcd} and for every relay
 * of the cluster. Like the tokens file it holds key hashes, never secrets. Calls wait at most the
 * registry call timeout; blocking, so never on an event loop.
 */
public interface ClusterTokenStore extends AutoCloseable {

    /**
     * Makes a token and stores its key hash; never overwrites: a name that exists, or a reserved port or
     * host name another token holds, is refused with {@link IllegalArgumentException}.
     *
     * @return the token itself, which exists nowhere else once shown
     */
    String add(String name, TokenRights rights) throws RegistryUnavailableException;

    /** Every token, by name. */
    Map<String, TokenFile.Entry> list() throws RegistryUnavailableException;

    /** @return whether a token of that name existed; every relay closes its sessions when it hears of it */
    boolean revoke(String name) throws RegistryUnavailableException;

    /**
     * The tokens as a relay's handshake reads them: kept in memory by a watch, so a login never waits on
     * the registry; a removed (or replaced) token fires {@link TokenDirectory#onRevoked}. Closed with the store.
     */
    TokenDirectory directory() throws RegistryUnavailableException;

    @Override
    void close();
}
