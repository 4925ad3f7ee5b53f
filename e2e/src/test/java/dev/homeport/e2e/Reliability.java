package dev.homeport.e2e;

import dev.homeport.protocol.ProtocolSettings;

import java.time.Duration;

/**
 * Settings shared by the fault and soak scenarios (docs/reliability.md lists them). Long mode,
 * {@code -Dhomeport.reliability.long=true}, runs the bandwidth-capped case with a full GiB, the
 * tiny-segment case with 32 MiB, and the soak for {@code homeport.soak.seconds} (default 600 in long
 * mode, 60 otherwise).
 */
final class Reliability {
    static final boolean LONG = Boolean.getBoolean("homeport.reliability.long");
    static final long GIB = 1L << 30;

    /** Short keep-alive on both sides, so that a dead peer is noticed within seconds. */
    static final Duration PING_INTERVAL = Duration.ofMillis(250);
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofMillis(1500);
    /** A session is declared dead at the first tick after the timeout: at most timeout + one interval of silence. */
    static final Duration DETECTION_BOUND = KEEPALIVE_TIMEOUT.plus(PING_INTERVAL);

    private Reliability() {
    }

    static ProtocolSettings shortKeepAlive() {
        return ProtocolSettings.defaults().withKeepAlive(PING_INTERVAL, KEEPALIVE_TIMEOUT);
    }

    /** {@code verifyBytes} in the normal build, a GiB in long mode. */
    static long size(long verifyBytes) {
        return LONG ? GIB : verifyBytes;
    }

    static int soakSeconds() {
        return Integer.getInteger("homeport.soak.seconds", LONG ? 600 : 60);
    }
}
