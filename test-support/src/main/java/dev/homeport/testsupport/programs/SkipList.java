package dev.homeport.testsupport.programs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tests skipped in one build for want of a program (or of root), one line each, in a file under the root
 * target/ whose name is the build's start time: every module's test JVM appends to the same file (the parent
 * pom passes its path as -D{@value #PROPERTY}), and the last module prints it once.
 */
public final class SkipList {
    public static final String PROPERTY = "homeport.skipList";
    /** The program name of an entry that wants root rather than a program. */
    public static final String ROOT = "root";

    /** One skipped test: the missing program, its Debian package (or, for {@link #ROOT}, why), the test class. */
    public record Entry(String program, String debianPackage, String test) {
        String line() {
            return String.join("\t", program, debianPackage, test) + "\n";
        }

        static Optional<Entry> parse(String line) {
            String[] f = line.split("\t");
            return f.length == 3 ? Optional.of(new Entry(f[0], f[1], f[2])) : Optional.empty();
        }
    }

    private final Path file;

    public SkipList(Path file) {
        this.file = file;
    }

    static Optional<SkipList> fromSystemProperty() {
        String p = System.getProperty(PROPERTY);
        return p == null || p.isBlank() ? Optional.empty() : Optional.of(new SkipList(Path.of(p)));
    }

    /** Appends under a file lock: surefire and failsafe JVMs of several modules may write at once. */
    public void add(Entry entry) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND); FileLock lock = ch.lock()) {
                ch.write(StandardCharsets.UTF_8.encode(entry.line()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the skip list " + file, e);
        }
    }

    /** Every entry, in order, once each; none when no test was skipped (no file). */
    public List<Entry> entries() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            Entry.parse(line).filter(e -> !out.contains(e)).ifPresent(out::add);
        }
        return out;
    }
}
