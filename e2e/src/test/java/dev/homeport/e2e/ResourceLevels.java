package dev.homeport.e2e;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.PlatformDependent;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.Field;
import java.util.Set;

/**
 * What this JVM holds at one moment, after garbage collection: heap in use, buffers allocated and
 * not yet released (as the PARANOID leak detector tracks every one), Netty's direct memory (its own
 * counter, and what its default allocator holds, cached chunks included), open file descriptors and
 * live threads. A soak compares the levels before and after.
 */
record ResourceLevels(long heapBytes, int liveBuffers, long nettyDirectBytes, long allocatorDirectBytes, int fds, int threads) {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    static ResourceLevels measure() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Await.sleep(java.time.Duration.ofMillis(50));
        }
        long allocator = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                ? p.metric().usedDirectMemory() : -1;
        return new ResourceLevels(MEMORY.getHeapMemoryUsage().getUsed(), countLiveBuffers(), PlatformDependent.usedDirectMemory(),
                allocator, openFds(), Thread.activeCount());
    }

    /**
     * Buffers the leak detector tracks now: allocated, not released, not collected. Netty has no
     * public count, so this reads the detector's set; under PARANOID it holds every live buffer.
     */
    private static int countLiveBuffers() {
        try {
            Field detectorField = AbstractByteBuf.class.getDeclaredField("leakDetector");
            detectorField.setAccessible(true);
            Object detector = detectorField.get(null);
            Field all = ResourceLeakDetector.class.getDeclaredField("allLeaks");
            all.setAccessible(true);
            return ((Set<?>) all.get(detector)).size();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot count live buffers in this Netty version", e);
        }
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
        return "heap_mib=" + (heapBytes >> 20) + " live_buffers=" + liveBuffers + " netty_direct_kib=" + (nettyDirectBytes >> 10)
                + " allocator_direct_kib=" + (allocatorDirectBytes >> 10) + " fds=" + fds + " threads=" + threads;
    }
}
