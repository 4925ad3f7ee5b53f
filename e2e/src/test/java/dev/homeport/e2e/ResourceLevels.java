package dev.homeport.e2e;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * What this JVM holds at one moment, after garbage collection: heap in use, Netty's direct memory
 * (its own counter, and what its default allocator has taken from the OS), open file descriptors
 * and live threads. A soak compares the levels before and after.
 */
record ResourceLevels(long heapBytes, long nettyDirectBytes, long allocatorDirectBytes, int fds, int threads) {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    static ResourceLevels measure() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Await.sleep(java.time.Duration.ofMillis(50));
        }
        long allocator = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                ? p.metric().usedDirectMemory() : -1;
        return new ResourceLevels(MEMORY.getHeapMemoryUsage().getUsed(), PlatformDependent.usedDirectMemory(), allocator,
                openFds(), Thread.activeCount());
    }

    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        if (fds == null) {
            throw new IllegalStateException("/proc/self/fd is not readable: the soak counts descriptors on Linux only");
        }
        return fds.length;
    }

    @Override
    public String toString() {
        return "heap_mib=" + (heapBytes >> 20) + " netty_direct_kib=" + (nettyDirectBytes >> 10)
                + " allocator_direct_kib=" + (allocatorDirectBytes >> 10) + " fds=" + fds + " threads=" + threads;
    }
}
