package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.RegistryUnavailableException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for one etcd call until a deadline, turning every way it can fail into {@link RegistryUnavailableException}. */
final class Calls {
    private Calls() {
    }

    /** The nanoTime deadline {@code timeoutMillis} from now. */
    static long deadline(long timeoutMillis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    static <T> T await(CompletableFuture<T> call, long deadlineNanos, String what) throws RegistryUnavailableException {
        long left = Math.max(0, deadlineNanos - System.nanoTime());
        try {
            return call.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new RegistryUnavailableException("etcd did not answer " + what + " in time (the registry call timeout)", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new RegistryUnavailableException("etcd failed " + what + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            throw new RegistryUnavailableException("interrupted waiting for etcd to " + what, e);
        }
    }
}
