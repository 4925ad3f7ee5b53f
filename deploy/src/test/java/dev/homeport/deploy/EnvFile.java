package dev.homeport.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A file of NAME=value lines, as systemd's EnvironmentFile= and compose's env_file read them; the example
 * files here use neither quotes nor continuation lines, so a line that is not NAME=value is an error.
 */
final class EnvFile {
    private EnvFile() {
    }

    static Map<String, String> read(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0 || !l.substring(0, eq).matches("[A-Z_][A-Z0-9_]*")) {
                throw new IllegalArgumentException(file + ": not NAME=value: " + line);
            }
            if (env.put(l.substring(0, eq), l.substring(eq + 1)) != null) {
                throw new IllegalArgumentException(file + ": " + l.substring(0, eq) + " twice");
            }
        }
        return env;
    }
}
