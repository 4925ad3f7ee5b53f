package dev.homeport.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** Runs small test classes through the Jupiter engine, as Maven would, and checks their outcome. */
class FailOnLeakExtensionTest {

    // The sample classes below skip themselves unless this test launches them, so a runner that
    // picks up nested classes (an IDE) does not see a deliberate failure.
    private static volatile boolean launchedByThisTest;

    @AfterEach
    void stopLaunching() {
        launchedByThisTest = false;
    }

    @Test
    void testClassThatLeaksABufferFailsWithTheLeakRecords() {
        EngineExecutionResults results = run(LeakingSample.class);

        results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(0));
        Event classFailure = results.containerEvents().failed().stream()
                .findFirst().orElseThrow(() -> new AssertionError("the leaking test class did not fail"));
        Throwable cause = classFailure.getPayload(TestExecutionResult.class)
                .flatMap(TestExecutionResult::getThrowable).orElseThrow();
        assertInstanceOf(AssertionError.class, cause);
        assertTrue(cause.getMessage().contains("LeakingSample.leaksOneBuffer"), cause.getMessage());
    }

    @Test
    void testClassThatReleasesItsBuffersPasses() {
        EngineExecutionResults results = run(CleanSample.class);

        results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(0));
        assertEquals(0, results.containerEvents().failed().count());
    }

    private static EngineExecutionResults run(Class<?> testClass) {
        launchedByThisTest = true;
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .selectors(selectClass(testClass))
                .execute();
    }

    static class LeakingSample {
        @Test
        void leaksOneBuffer() {
            Assumptions.assumeTrue(launchedByThisTest);
            ByteBufAllocator.DEFAULT.directBuffer(8).writeLong(42);
        }
    }

    static class CleanSample {
        @Test
        void releasesItsBuffer() {
            Assumptions.assumeTrue(launchedByThisTest);
            ByteBufAllocator.DEFAULT.directBuffer(8).writeLong(42).release();
        }
    }
}
