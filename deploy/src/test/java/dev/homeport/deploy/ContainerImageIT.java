package dev.homeport.deploy;

import dev.homeport.testsupport.programs.RequiresProgram;
import dev.homeport.testsupport.programs.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's container image, built in the package phase from the same runtime as the bundle, run as an
 * engine would run it, without one: deploy/check-image.sh (chroot into the unpacked layers, unshare for
 * fresh mount and PID namespaces; --version, token add into the volume, /health and /metrics, a TLS tunnel
 * from the bundle's own client, a clean stop on SIGTERM). Needs root and the script's programs.
 */
@RequiresRoot("chroot and unshare, to run the image's entrypoint inside its own root file system")
@RequiresProgram(value = "jq", debianPackage = "jq")
@RequiresProgram(value = "curl", debianPackage = "curl")
@RequiresProgram(value = "socat", debianPackage = "socat")
@RequiresProgram(value = "unshare", debianPackage = "util-linux")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ContainerImageIT {
    private static final Path IMAGE = Path.of(System.getProperty("homeport.image"));
    private static final Path BUNDLE = Path.of(System.getProperty("homeport.bundle.dir"));
    private static final String VERSION = System.getProperty("homeport.version");

    @Test
    void checkImageRunsTheImagesEntrypointAndATunnelThroughIt() throws Exception {
        assertThat(IMAGE).as("the image tar, built by the package phase").isRegularFile();
        Command check = Command.run(Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8",
                        "HOMEPORT_CLIENT", BUNDLE.resolve("bin/homeport").toString()),
                List.of("bash", "check-image.sh", IMAGE.toString()));
        assertThat(check.status()).as(check.output()).isZero();
        assertThat(check.output()).contains("check-image: --version: homeport-server " + VERSION, "check-image: OK");
    }
}
