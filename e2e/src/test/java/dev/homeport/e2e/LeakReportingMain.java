package dev.homeport.e2e;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a main class ({@code homeport}, {@code homeport-server}) and makes Netty report, before the JVM
 * ends, every buffer it dropped unreleased. Netty reports a leak only when the dropped buffer has been
 * garbage-collected and a later tracked allocation looks at the detector's queue, so a process that
 * leaked shortly before it exits would exit silently. Here a last step of the JVM's shutdown, after
 * every shutdown hook (the relay and the client close in theirs), collects garbage and allocates a
 * few buffers; Netty logs what it finds, and {@link CliProcess} fails the test on it.
 * <p>
 * Ordinary shutdown hooks run concurrently, in no order, so one of ours could run before the relay
 * closed. The step is a JDK system shutdown hook instead, in the last slot: those run one after the
 * other, after all ordinary hooks finished. That is an internal JDK API ({@link #JVM_FLAGS} opens it);
 * if a JDK no longer has it, starting fails loudly rather than let leaks go unreported. A SIGKILL or
 * {@code Runtime.halt} (the relay's out-of-memory exit) skips it, as it skips every hook.
 */
public final class LeakReportingMain {
    /**
     * The flags a JVM needs to run this main: every buffer tracked, and the system hook reachable.
     * A report still shows where the buffer was made and every retain and release, but not every
     * read and write of it: recording each access costs a stack trace, which made a relay under load
     * some fifty times slower than in production (a PING answer took some 400 µs, in
     * {@code ControlFloodSoakTest}), so that load tests measured the detector.
     */
    static final List<String> JVM_FLAGS = List.of("-Dio.netty.leakDetection.level=paranoid",
            "-Dio.netty.leakDetection.acquireAndReleaseOnly=true",
            "--add-exports", "java.base/jdk.internal.access=ALL-UNNAMED");

    /** After the console (0), the application hooks (1) and delete-on-exit (2) of JDK 17's java.lang.Shutdown. */
    private static final int LAST_SYSTEM_HOOK_SLOT = 9;
    // One round usually suffices; more cover a reference handler thread that is slow to enqueue (as LeakCheck).
    private static final int ROUNDS = 3;
    private static final long PAUSE_MILLIS = 10;

    private LeakReportingMain() {
    }

    /** {@code MAIN_CLASS [ARGS...]}. */
    public static void main(String[] args) throws Throwable {
        registerLastShutdownStep(LeakReportingMain::reportLeaks);
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void registerLastShutdownStep(Runnable step) throws ReflectiveOperationException {
        Object javaLang = Class.forName("jdk.internal.access.SharedSecrets").getMethod("getJavaLangAccess").invoke(null);
        Class.forName("jdk.internal.access.JavaLangAccess")
                .getMethod("registerShutdownHook", int.class, boolean.class, Runnable.class)
                .invoke(javaLang, LAST_SYSTEM_HOOK_SLOT, false, step);
    }

    /**
     * A detector looks at its queue of collected-but-unreleased buffers when it starts tracking a new one;
     * at PARANOID every allocation is tracked. Unpooled heap buffers are not tracked, so none here.
     */
    private static void reportLeaks() {
        try {
            for (int round = 0; round < ROUNDS; round++) {
                System.gc();
                Thread.sleep(PAUSE_MILLIS);
                Unpooled.directBuffer(1).release();
                PooledByteBufAllocator.DEFAULT.heapBuffer(1).release();
                PooledByteBufAllocator.DEFAULT.directBuffer(1).release();
                ByteBufAllocator.DEFAULT.buffer(1).release();
            }
        } catch (Throwable e) {
            // Nothing may stop the JVM's exit; the test sees the report or this line.
            System.err.println("LeakReportingMain: the leak check at exit failed: " + e);
        }
    }
}
