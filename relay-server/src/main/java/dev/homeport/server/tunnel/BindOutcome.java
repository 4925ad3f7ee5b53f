package dev.homeport.server.tunnel;

import dev.homeport.protocol.ErrorCode;

import java.util.concurrent.CompletableFuture;

/**
 * What a BIND came to: a tunnel, or a refusal with its reason. For an HTTP name, {@code certificate}
 * completes once the relay knows whether it holds a certificate for it (an ACME order may be under way).
 */
public record BindOutcome(Tunnel tunnel, ErrorCode refusal, String message, CompletableFuture<Boolean> certificate) {
    private static final CompletableFuture<Boolean> NONE_TO_WAIT_FOR = CompletableFuture.completedFuture(false);

    static BindOutcome granted(Tunnel t) {
        return new BindOutcome(t, null, null, NONE_TO_WAIT_FOR);
    }

    static BindOutcome granted(Tunnel t, CompletableFuture<Boolean> certificate) {
        return new BindOutcome(t, null, null, certificate);
    }

    public static BindOutcome refused(ErrorCode code, String message) {
        return new BindOutcome(null, code, message, NONE_TO_WAIT_FOR);
    }

    public boolean isGranted() {
        return tunnel != null;
    }
}
