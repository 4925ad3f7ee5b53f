package dev.homeport.server.tunnel;

import dev.homeport.protocol.ErrorCode;

/** What a BIND came to: a tunnel, or a refusal with its reason. */
public record BindOutcome(Tunnel tunnel, ErrorCode refusal, String message) {
    static BindOutcome granted(Tunnel t) {
        return new BindOutcome(t, null, null);
    }

    static BindOutcome refused(ErrorCode code, String message) {
        return new BindOutcome(null, code, message);
    }

    public boolean isGranted() {
        return tunnel != null;
    }
}
