package dev.homeport.e2e;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Closes what a test started, last first, after the test even if it timed out in another thread:
 * closing the sockets and services is what unblocks a thread stuck in a read. A failing close (a
 * child process that reported a leak) does not keep the rest open; the first failure is thrown.
 */
final class Teardown implements AfterEachCallback {
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    synchronized <T extends AutoCloseable> T add(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Throwable first = null;
        while (true) {
            AutoCloseable r;
            synchronized (this) {
                r = resources.poll();
            }
            if (r == null) {
                break;
            }
            try {
                r.close();
            } catch (Exception | AssertionError e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof Exception e) {
            throw e;
        }
        if (first != null) {
            throw (AssertionError) first;
        }
    }
}
