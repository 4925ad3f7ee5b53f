package dev.homeport.e2e;

import io.netty.buffer.PooledByteBufAllocator;

/**
 * A program that leaks on purpose, for {@link ChildProcessLeakCheckTest}: it drops one pooled buffer
 * unreleased in its main method and one in a shutdown hook, where the relay and the client close, then
 * exits at once, before any later allocation could make Netty report either.
 */
public final class LeakingMain {
    static final String IN_MAIN = "dropped unreleased in LeakingMain.main";
    static final String IN_SHUTDOWN_HOOK = "dropped unreleased in a shutdown hook of LeakingMain";

    private LeakingMain() {
    }

    public static void main(String[] args) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> leak(IN_SHUTDOWN_HOOK), "leaking-shutdown-hook"));
        leak(IN_MAIN);
        System.out.println("leaked");
        System.exit(0);
    }

    // Its own method, so that nothing on the caller's stack keeps the buffer reachable.
    private static void leak(String hint) {
        PooledByteBufAllocator.DEFAULT.directBuffer(16).writeLong(42).touch(hint);
    }
}
