package dev.homeport.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a test needs of a systemd service unit to run its command as systemd would, without systemd: User=,
 * ExecStart= (split into words), Environment= and the variables of EnvironmentFile= (a leading '-' makes the
 * file optional, as in systemd). Only the plain forms the Homeport units use: no quoting, no specifiers.
 */
record Unit(String user, List<String> execStart, Map<String, String> environment, List<Path> environmentFiles) {
    static Unit read(Path file) throws IOException {
        String user = null;
        List<String> execStart = List.of();
        Map<String, String> env = new LinkedHashMap<>();
        List<Path> envFiles = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq < 0) {
                continue;
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            switch (key) {
                case "User" -> user = value;
                case "ExecStart" -> execStart = List.of(value.split("\\s+"));
                case "Environment" -> addAssignment(env, value);
                case "EnvironmentFile" -> envFiles.add(Path.of(value.startsWith("-") ? value.substring(1) : value));
                default -> { }
            }
        }
        return new Unit(user, execStart, env, envFiles);
    }

    /** The variables of every EnvironmentFile=, in order: KEY=VALUE lines; comments and blank lines skipped. */
    Map<String, String> environmentFile() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (Path f : environmentFiles) {
            if (Files.exists(f)) {
                for (String line : Files.readAllLines(f)) {
                    String l = line.strip();
                    if (!l.isEmpty() && !l.startsWith("#")) {
                        addAssignment(env, l);
                    }
                }
            }
        }
        return env;
    }

    private static void addAssignment(Map<String, String> env, String assignment) {
        int eq = assignment.indexOf('=');
        if (eq > 0) {
            env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
        }
    }
}
