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

    /** Every distinct message down the cause chain: gRPC's outer one ("UNAUTHENTICATED") rarely says why. */
    static String messages(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (int depth = 0; t != null && depth < 8; t = t.getCause(), depth++) {
            String m = t.getMessage();
            if (m != null && s.indexOf(m) < 0) {
                s.append(s.length() == 0 ? m : " (" + m + ")");
            }
        }
        return s.length() == 0 ? "no reason given" : s.toString();
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
            throw new RegistryUnavailableException("etcd failed " + what + ": " + messages(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            throw new RegistryUnavailableException("interrupted waiting for etcd to " + what, e);
        }
    }
}
