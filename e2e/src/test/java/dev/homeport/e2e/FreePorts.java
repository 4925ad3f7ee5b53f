package dev.homeport.e2e;

import dev.homeport.server.PortRange;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Blocks of consecutive loopback ports that are free right now. They are taken below the Linux
 * ephemeral range (32768 and up), so the OS does not hand one out as a source port meanwhile,
 * and a relay restarted on the same ports finds them free again.
 */
final class FreePorts {
    private static final int LOW = 22_000;
    private static final int HIGH = 32_000;

    private FreePorts() {
    }

    /** @return the first port of {@code count} consecutive ports, each bindable on 127.0.0.1 */
    static int block(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(LOW, HIGH - count);
            if (allFree(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports between " + LOW + " and " + HIGH);
    }

    static int one() {
        return block(1);
    }

    /** A relay's public port range of {@code count} ports, free as {@link #block} finds them. */
    static PortRange range(int count) {
        int first = block(count);
        return new PortRange(first, first + count - 1);
    }

    private static boolean allFree(int base, int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int p = base; p < base + count; p++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
            }
            return true;
        } catch (IOException taken) {
            return false;
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing was accepted on it
                }
            }
        }
    }
}
