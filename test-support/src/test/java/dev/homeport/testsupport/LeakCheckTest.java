package dev.homeport.testsupport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class LeakCheckTest {

    @Test
    void recordingFactoryIsInstalledBeforeNettyCreatesItsBufferDetector() {
        Unpooled.buffer(1).release();

        assertTrue(RecordingLeakDetectorFactory.tracks(ByteBuf.class));
    }

    @Test
    void releasedBuffersPassTheCheck() {
        ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(16).writeLong(42);
        ByteBuf unpooled = Unpooled.buffer(16).writeLong(42);
        pooled.release();
        unpooled.release();

        assertDoesNotThrow(() -> LeakCheck.assertNoLeaks("a clean test"));
    }

    // The leak is reported (and logged as ERROR by Netty) on purpose; the check must catch it.
    @Test
    void bufferThatIsNeverReleasedFailsTheCheckAndNamesWhereItWasCreated() {
        leakOneBuffer();

        AssertionError failure = assertThrows(AssertionError.class, () -> LeakCheck.assertNoLeaks("a leaking test"));

        assertTrue(failure.getMessage().contains("LeakCheckTest.leakOneBuffer"), failure.getMessage());
        assertDoesNotThrow(() -> LeakCheck.assertNoLeaks("the same test after the leak was reported"),
                "a reported leak fails one check, not every later test class");
    }

    // Its own method, so nothing on the test's stack keeps the buffer reachable. Pooled, because
    // Netty does not track unpooled heap buffers.
    private static void leakOneBuffer() {
        ByteBufAllocator.DEFAULT.heapBuffer(8).writeLong(42);
    }
}
