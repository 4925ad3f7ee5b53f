package dev.homeport.server.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token-file poller is the only thing that applies {@code token revoke} to a running relay, so
 * nothing thrown inside one poll may stop the later ones: a listener that throws, an Error that is
 * not an OutOfMemoryError, a half-written file.
 */
class FileTokenDirectoryTest {
    private static final Duration WITHIN = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void aListenerThatThrowsNeitherStopsTheOtherListenersNorLaterRevocations() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        file.add("a", TokenRights.ALL);
        file.add("b", TokenRights.ALL);
        List<String> heard = new CopyOnWriteArrayList<>();
        try (FileTokenDirectory tokens = new FileTokenDirectory(file)) {
            tokens.onRevoked(name -> {
                throw new IllegalStateException("a session refused to close");
            });
            tokens.onRevoked(heard::add);

            revoke(file, "a");
            awaitTrue(() -> heard.contains("a"), "the second listener hears the first revocation");
            revoke(file, "b");
            awaitTrue(() -> heard.contains("b"), "the poller still applies a later revocation");
            assertThat(tokens.size()).isZero();
        }
    }

    @Test
    void anErrorInAPollIsLoggedAndThePollerGoesOn() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        file.add("a", TokenRights.ALL);
        file.add("b", TokenRights.ALL);
        List<String> heard = new CopyOnWriteArrayList<>();
        try (FileTokenDirectory tokens = new FileTokenDirectory(file)) {
            tokens.onRevoked(name -> {
                heard.add(name);
                if (name.equals("a")) {
                    throw new StackOverflowError("deep inside one revocation");
                }
            });
            revoke(file, "a");
            awaitTrue(() -> heard.contains("a"), "the revocation reached the listener");
            revoke(file, "b");
            awaitTrue(() -> heard.contains("b"), "a poll after the Error still runs");
        }
    }

    @Test
    void aHalfWrittenFileKeepsTheTokensLastReadUntilItIsWholeAgain() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        file.add("a", TokenRights.ALL);
        String whole = Files.readString(file.path());
        TokenFile other = new TokenFile(dir.resolve("other"));
        other.add("b", TokenRights.ALL);
        String lineOfB = Files.readAllLines(other.path()).stream().filter(l -> l.startsWith("b ")).findFirst().orElseThrow();
        try (FileTokenDirectory tokens = new FileTokenDirectory(file)) {
            Files.writeString(file.path(), whole + "half zz");
            bump(file.path());
            Thread.sleep(3 * FileTokenDirectory.POLL_MILLIS); // polls that cannot read it; there is no event to wait for
            assertThat(tokens.rights("a")).as("the last good read stays").isNotNull();
            assertThat(tokens.rights("half")).isNull();

            Files.writeString(file.path(), whole + lineOfB + "\n");
            bump(file.path());
            awaitTrue(() -> tokens.rights("b") != null, "the mended file is read");
            assertThat(tokens.rights("a")).isNotNull();
        }
    }

    private static void revoke(TokenFile file, String name) throws Exception {
        assertThat(file.revoke(name)).isTrue();
        bump(file.path());
    }

    /** A new modification time even on a file system with coarse timestamps. */
    private static void bump(Path path) throws Exception {
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().plusSeconds(1 + System.nanoTime() % 1000)));
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + WITHIN + ": " + what);
            }
            Thread.sleep(20);
        }
    }
}
