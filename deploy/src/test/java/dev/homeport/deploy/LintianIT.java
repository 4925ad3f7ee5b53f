package dev.homeport.deploy;

import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's package checker on the .deb: no error or warning that is neither fixed nor overridden in
 * package/deb/lintian-overrides, every override still matches something (none left behind once fixed), and
 * every override comes after a comment that says why.
 */
@RequiresProgram(value = "lintian", debianPackage = "lintian")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LintianIT {
    private static final Path PACKAGES = Path.of(System.getProperty("homeport.packages"));
    private static final Path OVERRIDES = Path.of("package/deb/lintian-overrides");
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8");

    @Test
    void lintianFindsNoErrorOrWarningThatIsNeitherFixedNorExplained() throws Exception {
        Path deb;
        try (Stream<Path> debs = Files.list(PACKAGES)) {
            deb = debs.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst().orElseThrow();
        }
        // --info as well: an override that no longer matches anything is an info tag (unused-override).
        Command lintian = Command.run(ENV, "lintian", "--fail-on", "error,warning", "--info", deb.toString());
        List<String> tags = lintian.output().lines().filter(l -> l.matches("^[EWIXP]: .*")).toList();
        assertThat(tags).as("lintian's findings")
                .noneMatch(l -> l.startsWith("E: ") || l.startsWith("W: "))
                .noneMatch(l -> l.contains("unused-override") || l.contains("mismatched-override"));
        assertThat(lintian.status()).as(lintian.output()).isZero();
    }

    @Test
    void everyOverrideSaysWhy() throws Exception {
        List<String> lines = Files.readAllLines(OVERRIDES);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("homeport: ")) {
                int j = i - 1;
                while (j >= 0 && lines.get(j).startsWith("homeport: ")) {
                    j--;
                }
                assertThat(j >= 0 && lines.get(j).startsWith("# ")).as("a comment before " + lines.get(i)).isTrue();
            }
        }
    }
}
