package dev.homeport.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's ceilings for TCP socket buffers: bytes a test must allow for beyond what the tunnel itself holds. */
final class KernelBuffers {
    private KernelBuffers() {
    }

    /** Most a socket's send buffer can grow to (the third value of net.ipv4.tcp_wmem). */
    static long maxSendBuffer() {
        return third("/proc/sys/net/ipv4/tcp_wmem", 4L << 20);
    }

    /** Most a socket's receive buffer can grow to (the third value of net.ipv4.tcp_rmem). */
    static long maxReceiveBuffer() {
        return third("/proc/sys/net/ipv4/tcp_rmem", 6L << 20);
    }

    private static long third(String file, long otherwise) {
        try {
            String[] v = Files.readString(Path.of(file)).trim().split("\\s+");
            return Long.parseLong(v[2]);
        } catch (IOException | RuntimeException e) {
            return otherwise;
        }
    }
}
