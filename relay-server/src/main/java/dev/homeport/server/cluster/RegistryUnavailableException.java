package dev.homeport.server.cluster;

/**
 * The cluster registry did not answer within its call timeout, or refused the call. The outcome of a
 * claim that timed out is unknown to the caller: the registry undoes its part as far as it can, and
 * the caller refuses the BIND (the client retries).
 */
public final class RegistryUnavailableException extends Exception {
    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
