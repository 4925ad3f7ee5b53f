package dev.homeport.testsupport.programs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.opentest4j.TestAbortedException;

/** Runs sample classes that need a missing program through the Jupiter engine: skipped, listed, or failed on CI. */
class RequiredProgramsTest {
    private static final String MISSING = "homeport-no-such-program";

    // The samples skip themselves unless this test launches them (an IDE may pick up nested classes).
    private static volatile boolean launchedByThisTest;

    @TempDir
    Path dir;

    @AfterEach
    void reset() {
        launchedByThisTest = false;
        System.clearProperty(RequiredPrograms.STRICT_PROPERTY);
        System.clearProperty(SkipList.PROPERTY);
    }

    @Test
    void aClassThatNeedsAMissingProgramIsSkippedNamingProgramAndPackageAndIsListed() throws Exception {
        Path list = dir.resolve("skips.tsv");
        EngineExecutionResults results = run(NeedsMissingProgram.class, "false", list);

        results.testEvents().assertStatistics(s -> s.started(0).failed(0));
        String why = results.containerEvents().skipped().stream().findFirst()
                .flatMap(e -> e.getPayload(String.class))
                .orElseThrow(() -> new AssertionError("the class was not skipped"));
        assertTrue(why.contains(MISSING + " is not installed (Debian package homeport-pkg)"), why);
        assertTrue(why.contains("sudo apt-get install homeport-pkg"), why);
        assertEquals(List.of(new SkipList.Entry(MISSING, "homeport-pkg", "NeedsMissingProgram")), new SkipList(list).entries());
    }

    @Test
    void underTheCiSwitchAMissingProgramFailsTheClass() throws Exception {
        Path list = dir.resolve("skips.tsv");
        EngineExecutionResults results = run(NeedsMissingProgram.class, "true", list);

        Throwable why = results.containerEvents().failed().stream().findFirst()
                .flatMap(e -> e.getPayload(TestExecutionResult.class)).flatMap(TestExecutionResult::getThrowable)
                .orElseThrow(() -> new AssertionError("the class did not fail"));
        assertInstanceOf(AssertionError.class, why);
        assertTrue(why.getMessage().contains(RequiredPrograms.STRICT_ENV + " is set"), why.getMessage());
        assertTrue(Files.notExists(list), "a failure is not a skip");
    }

    @Test
    void aProgramThatIsThereRunsTheTestsAndIsFoundByAbsolutePath() {
        EngineExecutionResults results = run(NeedsShell.class, "true", dir.resolve("skips.tsv"));

        results.testEvents().assertStatistics(s -> s.succeeded(1).failed(0).aborted(0));
        assertTrue(RequiredPrograms.find("sh").orElseThrow().isAbsolute());
    }

    @Test
    void aMethodLevelNeedSkipsOnlyThatMethod() throws Exception {
        Path list = dir.resolve("skips.tsv");
        EngineExecutionResults results = run(OneMethodNeedsMissingProgram.class, "false", list);

        results.testEvents().assertStatistics(s -> s.succeeded(1).skipped(1).failed(0));
        assertEquals(1, new SkipList(list).entries().size());
    }

    @Test
    void aHelperThatNeedsAMissingProgramAbortsItsTestAndListsIt() throws Exception {
        Path list = dir.resolve("skips.tsv");
        System.setProperty(RequiredPrograms.STRICT_PROPERTY, "false");
        System.setProperty(SkipList.PROPERTY, list.toString());

        TestAbortedException e = org.junit.jupiter.api.Assertions.assertThrows(TestAbortedException.class,
                () -> RequiredPrograms.require(MISSING, "homeport-pkg"));
        assertTrue(e.getMessage().contains(MISSING + " is not installed"), e.getMessage());
        assertEquals(List.of(new SkipList.Entry(MISSING, "homeport-pkg", "RequiredProgramsTest")), new SkipList(list).entries());

        System.setProperty(RequiredPrograms.STRICT_PROPERTY, "true");
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> RequiredPrograms.require(MISSING, "homeport-pkg"));
    }

    @Test
    void theSummaryGroupsByProgramAndSaysHowToRunEverything() {
        String text = SkippedTestsSummary.render(List.of(
                new SkipList.Entry("tinyproxy", "tinyproxy", "ControlOverHttpsTest"),
                new SkipList.Entry("tinyproxy", "tinyproxy", "WebSocketThroughProxyTest"),
                new SkipList.Entry("jupyter", "jupyter-notebook python3-ipykernel", "JupyterThroughRelayTest"),
                new SkipList.Entry(SkipList.ROOT, "chroot", "ImageIT")));

        assertTrue(text.contains("SKIPPED 4 test classes"), text);
        assertTrue(text.contains("tinyproxy (Debian package tinyproxy): ControlOverHttpsTest, WebSocketThroughProxyTest"), text);
        assertTrue(text.contains("root (chroot): ImageIT"), text);
        assertTrue(text.contains("sudo .ci/run"), text);
        assertTrue(text.contains("sudo apt-get install tinyproxy jupyter-notebook python3-ipykernel and ./mvnw verify as root"), text);
        assertTrue(SkippedTestsSummary.render(List.of()).contains("no test was skipped"));
    }

    private static EngineExecutionResults run(Class<?> testClass, String strict, Path list) {
        launchedByThisTest = true;
        System.setProperty(RequiredPrograms.STRICT_PROPERTY, strict);
        System.setProperty(SkipList.PROPERTY, list.toString());
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute();
    }

    @RequiresProgram(value = MISSING, debianPackage = "homeport-pkg")
    static class NeedsMissingProgram {
        @Test
        void neverRuns() {
            throw new AssertionError("ran without its program");
        }
    }

    @RequiresProgram(value = "sh", debianPackage = "dash")
    static class NeedsShell {
        @Test
        void runs() {
            Assumptions.assumeTrue(launchedByThisTest);
        }
    }

    static class OneMethodNeedsMissingProgram {
        @Test
        @RequiresProgram(value = MISSING, debianPackage = "homeport-pkg")
        void skipped() {
            throw new AssertionError("ran without its program");
        }

        @Test
        void runs() {
            Assumptions.assumeTrue(launchedByThisTest);
        }
    }
}
