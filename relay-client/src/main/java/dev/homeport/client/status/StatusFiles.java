package dev.homeport.client.status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where running clients publish their status: one file per client, {@code DIR/clients/PID.status},
 * replaced atomically every second. A reader trusts a file only if its process is alive and the file
 * is fresh, so a client killed with SIGKILL is never shown as running; it removes such leftovers.
 * Files, not a port: nothing listens, the directory is private to the user, and any number of
 * clients can run side by side.
 */
public final class StatusFiles {
    /** A file not rewritten for this long belongs to a client that is gone or hung. */
    public static final Duration STALE_AFTER = Duration.ofSeconds(10);
    private static final String SUFFIX = ".status";

    private final Path dir;

    public StatusFiles(Path stateDir) {
        this.dir = stateDir.resolve("clients");
    }

    /** The default state directory: $XDG_STATE_HOME/homeport, or ~/.local/state/homeport. */
    public static Path defaultStateDir() {
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("homeport");
    }

    public Path directory() {
        return dir;
    }

    /** Replaces this process's status file. */
    public void publish(ClientStatus status) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the user's profile directory is private already.
            }
        }
        Path file = fileOf(status.pid());
        Path tmp = dir.resolve(status.pid() + SUFFIX + ".tmp");
        Files.writeString(tmp, status.encode(), StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes this process's status file, as the client stops. */
    public void withdraw(long pid) {
        try {
            Files.deleteIfExists(fileOf(pid));
        } catch (IOException ignored) {
            // Readers skip stale files anyway.
        }
    }

    /** The status of every running client, oldest process first; leftovers of dead clients are removed. */
    public List<ClientStatus> running() throws IOException {
        List<ClientStatus> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                long pid;
                try {
                    pid = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
                } catch (NumberFormatException e) {
                    continue;
                }
                boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                boolean fresh;
                try {
                    fresh = Files.getLastModifiedTime(f).toInstant().isAfter(Instant.now().minus(STALE_AFTER));
                } catch (IOException gone) {
                    continue;
                }
                if (!alive) {
                    Files.deleteIfExists(f);
                    continue;
                }
                if (!fresh) {
                    continue;
                }
                try {
                    found.add(ClientStatus.decode(Files.readString(f, StandardCharsets.UTF_8)));
                } catch (IOException | IllegalArgumentException e) {
                    // Replaced or removed while reading: the client is stopping; skip it.
                }
            }
        }
        found.sort(Comparator.comparingLong(ClientStatus::pid));
        return found;
    }

    private Path fileOf(long pid) {
        return dir.resolve(pid + SUFFIX);
    }
}
