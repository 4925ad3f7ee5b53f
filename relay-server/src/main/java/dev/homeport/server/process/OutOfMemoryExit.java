package dev.homeport.server.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's default uncaught-exception handler. After an OutOfMemoryError nothing in the process
 * can be trusted (a thread that allocates next may die, leaving the acceptor or the token poller
 * dead and the relay half alive), so the process says so in the log and exits at once with
 * {@link #EXIT_CODE}: its supervisor (systemd's {@code Restart=on-failure}) starts it again. Code
 * that catches errors of one session hands an OutOfMemoryError here; any other error only ends the
 * thread it happened in, and is logged.
 */
public final class OutOfMemoryExit implements Thread.UncaughtExceptionHandler {
    /** Not 1 (a failed start) nor 143 (SIGTERM): an operator reading the unit's status sees why. */
    public static final int EXIT_CODE = 3;
    private static final Logger log = LoggerFactory.getLogger(OutOfMemoryExit.class);

    private OutOfMemoryExit() {
    }

    /** Makes this the handler of every thread of the process. */
    public static void install() {
        Thread.setDefaultUncaughtExceptionHandler(new OutOfMemoryExit());
    }

    /** Whether {@code error} is, or was caused by, an OutOfMemoryError (heap, direct memory, metaspace). */
    public static boolean isOutOfMemory(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hands {@code error} to the process's default handler if it is an OutOfMemoryError; for code that
     * catches the errors of one session and would otherwise go on. Without a handler installed (tests
     * that embed a relay), nothing happens.
     */
    public static void ifOutOfMemory(Throwable error) {
        Thread.UncaughtExceptionHandler handler = Thread.getDefaultUncaughtExceptionHandler();
        if (handler != null && isOutOfMemory(error)) {
            handler.uncaughtException(Thread.currentThread(), error);
        }
    }

    @Override
    public void uncaughtException(Thread thread, Throwable error) {
        if (!isOutOfMemory(error)) {
            log.error("event=thread_died thread={}", thread.getName(), error);
            return;
        }
        try {
            log.error("event=out_of_memory thread={} error=\"{}\" action=exit exit_code={} detail=\"the relay exits so that "
                    + "its supervisor starts it again\"", thread.getName(), error, EXIT_CODE);
        } catch (Throwable ignored) {
            // Logging needs memory too; the exit below must happen whatever it did.
        } finally {
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
