package dev.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class BuildInfoTest {
    @Test
    void theBuiltVersionAndCommitAreThePomsAndTheCheckoutsHead() throws Exception {
        BuildInfo info = BuildInfo.current();

        assertThat(info.version()).isEqualTo(System.getProperty("homeport.version"));
        Path git = Path.of("..", ".git");
        if (Files.exists(git)) {
            assertThat(info.commit()).matches("[0-9a-f]{10}");
            assertThat(head()).startsWith(info.commit());
        } else {
            assertThat(info.commit()).isEqualTo("unknown");
        }
        assertThat(info.describe("homeport")).isEqualTo("homeport " + info.version() + " (commit " + info.commit() + ")");
    }

    @Test
    void aTreeBuiltWithoutGitSaysUnknownRatherThanAPlaceholder() {
        assertThat(BuildInfo.of("0.1.0", "${homeport.commit}")).isEqualTo(new BuildInfo("0.1.0", "unknown"));
        assertThat(BuildInfo.of(null, " ")).isEqualTo(new BuildInfo("unknown", "unknown"));
    }

    private static String head() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("git", "rev-parse", "HEAD").directory(Path.of("..").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }
}
