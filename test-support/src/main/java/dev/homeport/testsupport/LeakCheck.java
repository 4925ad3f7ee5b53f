package dev.homeport.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.util.List;

/**
 * Makes Netty find leaked buffers now, rather than at some later allocation, and turns what its
 * detectors reported into an {@link AssertionError}.
 */
public final class LeakCheck {

    // One round usually suffices; more cover a reference handler thread that is slow to enqueue.
    private static final int ROUNDS = 3;
    private static final long PAUSE_MILLIS = 10;

    private LeakCheck() {
    }

    /**
     * Fails if any Netty leak was reported since the previous check.
     *
     * @param scope what ran since the previous check, named in the failure message
     */
    public static void assertNoLeaks(String scope) {
        forceDetection();
        if (!RecordingLeakDetectorFactory.tracks(ByteBuf.class)) {
            throw new AssertionError("Netty created its ByteBuf leak detector before "
                    + RecordingLeakDetectorFactory.class.getSimpleName() + " was installed, so leaks would go"
                    + " unnoticed; is " + LeakDetectionSessionListener.class.getName() + " registered?");
        }
        List<String> leaks = RecordingLeakDetectorFactory.drainReports();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty leak(s) reported while " + scope + " ran"
                    + " (a leak may also come from an earlier test; the records show where the object was"
                    + " created and last used):\n" + String.join("\n\n", leaks));
        }
    }

    /**
     * Collects garbage, then allocates tracked buffers: a detector only looks at its queue of
     * collected-but-unreleased objects when it starts tracking a new one. Unpooled heap buffers
     * are not tracked (the GC frees them), so they would not trigger a look.
     */
    public static void forceDetection() {
        for (int round = 0; round < ROUNDS; round++) {
            System.gc();
            pause();
            Unpooled.directBuffer(1).release();
            PooledByteBufAllocator.DEFAULT.heapBuffer(1).release();
            PooledByteBufAllocator.DEFAULT.directBuffer(1).release();
            ByteBufAllocator.DEFAULT.buffer(1).release();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
