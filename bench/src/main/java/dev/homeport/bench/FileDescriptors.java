package dev.homeport.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/** File-descriptor head-room, and what the errors of running out look like. */
final class FileDescriptors {

    private FileDescriptors() {
    }

    /** Fails before any connection is made when this process cannot hold {@code needed} more descriptors. */
    static void requireFree(long needed, String purpose) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof UnixOperatingSystemMXBean unix)) {
            return;
        }
        long max = unix.getMaxFileDescriptorCount();
        long free = max - unix.getOpenFileDescriptorCount();
        if (free < needed) {
            throw new BenchFailure("to " + purpose + " this process needs about " + needed
                    + " file descriptors but only " + free + " are free (limit " + max + "); raise it first,"
                    + " e.g. `ulimit -n " + Math.max(65536, 2 * needed) + "` (the far end and any relay need"
                    + " as many)", BenchFailure.USAGE);
        }
    }

    /** Turns a connection failure at scale into a sentence that names the limit to raise. */
    static String explain(Throwable failure, int openSoFar) {
        String text = String.valueOf(chainMessages(failure));
        if (text.contains("Too many open files")) {
            return "out of file descriptors (EMFILE) after " + openSoFar
                    + " live connections: raise `ulimit -n` for this tool, the far end and any relay";
        }
        if (text.contains("Cannot assign requested address")) {
            return "out of local ports (EADDRNOTAVAIL) after " + openSoFar
                    + " connections: widen net.ipv4.ip_local_port_range or use fewer streams";
        }
        return text;
    }

    private static String chainMessages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.toString();
    }
}
