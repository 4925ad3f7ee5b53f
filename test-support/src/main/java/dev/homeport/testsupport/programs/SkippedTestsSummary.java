package dev.homeport.testsupport.programs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Prints the build's one summary of skipped tests (the {@link SkipList} every module appended to), grouped by
 * the missing program, with how to run them; then deletes older builds' lists. Run by the last module of the
 * reactor (deploy) in the verify phase: {@code SkippedTestsSummary SKIP_LIST_FILE}.
 */
public final class SkippedTestsSummary {
    private SkippedTestsSummary() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        System.out.print(render(new SkipList(file).entries()));
        deleteOthers(file);
    }

    /** The summary's text: a line per missing program with the tests it skipped, then how to run them. */
    public static String render(List<SkipList.Entry> entries) {
        StringBuilder s = new StringBuilder("\n[homeport] ");
        if (entries.isEmpty()) {
            return s.append("no test was skipped for want of a program: every check ran.\n\n").toString();
        }
        Map<String, List<String>> testsByNeed = new LinkedHashMap<>();
        for (SkipList.Entry e : entries) {
            String need = SkipList.ROOT.equals(e.program()) ? "root (" + e.debianPackage() + ")"
                    : e.program() + " (Debian package " + e.debianPackage() + ")";
            List<String> tests = testsByNeed.computeIfAbsent(need, k -> new ArrayList<>());
            if (!tests.contains(e.test())) {
                tests.add(e.test());
            }
        }
        long classes = entries.stream().map(SkipList.Entry::test).distinct().count();
        s.append("SKIPPED ").append(classes).append(" test class").append(classes == 1 ? "" : "es")
                .append(": this machine lacks what they need (CI installs it all and skips nothing)\n");
        testsByNeed.forEach((need, tests) -> s.append("[homeport]   ").append(need).append(": ")
                .append(String.join(", ", tests)).append('\n'));
        s.append("[homeport] ").append(RequiredPrograms.howToRun(entries)).append("\n\n");
        return s.toString();
    }

    private static void deleteOthers(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> lists = Files.list(dir)) {
            for (Path p : lists.filter(p -> !p.getFileName().equals(file.getFileName())).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
