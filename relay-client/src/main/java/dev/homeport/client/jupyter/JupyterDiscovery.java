package dev.homeport.client.jupyter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Finds the Jupyter servers running on this machine the way {@code jupyter server list} and
 * {@code jupyter notebook list} do: each server writes a JSON file into Jupyter's runtime
 * directory while it runs; a file whose process is gone is left over from a crash and skipped.
 */
public final class JupyterDiscovery {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A runtime file larger than this is not one Jupyter wrote. */
    static final long MAX_RUNTIME_FILE_BYTES = 64 * 1024;

    /** What a scan found, and why each other file was not used. */
    public record Result(Path runtimeDir, List<JupyterServer> servers, List<String> skipped) {
    }

    private JupyterDiscovery() {
    }

    /**
     * Jupyter's runtime directory as jupyter_core computes it: {@code $JUPYTER_RUNTIME_DIR}, else the
     * data directory's {@code runtime}: {@code $JUPYTER_DATA_DIR}, else per platform
     * {@code ~/Library/Jupyter} (macOS), {@code %APPDATA%\jupyter} (Windows),
     * {@code $XDG_DATA_HOME/jupyter} or {@code ~/.local/share/jupyter} (elsewhere).
     */
    public static Path runtimeDir(Map<String, String> env, String osName, Path home) {
        String runtime = env.get("JUPYTER_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            return Path.of(runtime);
        }
        return dataDir(env, osName, home).resolve("runtime");
    }

    static Path dataDir(Map<String, String> env, String osName, Path home) {
        String data = env.get("JUPYTER_DATA_DIR");
        if (data != null && !data.isBlank()) {
            return Path.of(data);
        }
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return home.resolve("Library").resolve("Jupyter");
        }
        if (os.startsWith("windows")) {
            String appData = env.get("APPDATA");
            return appData != null && !appData.isBlank() ? Path.of(appData, "jupyter") : home.resolve(".jupyter").resolve("data");
        }
        String xdg = env.get("XDG_DATA_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local").resolve("share")).resolve("jupyter");
    }

    /** The runtime directory of this process's environment. */
    public static Path defaultRuntimeDir() {
        return runtimeDir(System.getenv(), System.getProperty("os.name", ""), JupyterDiscovery.home());
    }

    /** The home directory as Jupyter sees it: {@code $HOME} (Python's expanduser), else the JVM's user.home. */
    public static Path home() {
        String home = System.getenv("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }

    /** Servers whose process is alive, by port. */
    public static Result scan(Path runtimeDir) throws IOException {
        return scan(runtimeDir, JupyterDiscovery::alive);
    }

    static Result scan(Path runtimeDir, LongPredicate isAlive) throws IOException {
        List<JupyterServer> servers = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(runtimeDir, "{jpserver,nbserver}-*.json")) {
            dir.forEach(files::add);
        } catch (NoSuchFileException none) {
            return new Result(runtimeDir, List.of(), List.of());
        }
        files.sort(Comparator.naturalOrder());
        for (Path file : files) {
            JupyterServer.Kind kind = file.getFileName().toString().startsWith("jpserver-")
                    ? JupyterServer.Kind.SERVER : JupyterServer.Kind.NOTEBOOK;
            try {
                JupyterServer server = read(file, kind);
                if (server == null) {
                    skipped.add(file.getFileName() + ": serves a Unix socket, not a TCP port");
                } else if (!isAlive.test(server.pid())) {
                    skipped.add(file.getFileName() + ": process " + server.pid() + " is not running (left over)");
                } else {
                    servers.add(server);
                }
            } catch (IOException | IllegalArgumentException e) {
                skipped.add(file.getFileName() + ": unreadable: " + e.getMessage());
            }
        }
        servers.sort(Comparator.comparingInt(JupyterServer::port));
        return new Result(runtimeDir, List.copyOf(servers), List.copyOf(skipped));
    }

    /** The server a runtime file describes, or {@code null} for one on a Unix socket. */
    static JupyterServer read(Path file, JupyterServer.Kind kind) throws IOException {
        if (Files.size(file) > MAX_RUNTIME_FILE_BYTES) {
            throw new IllegalArgumentException("larger than " + MAX_RUNTIME_FILE_BYTES + " bytes");
        }
        JsonNode json = JSON.readTree(file.toFile());
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (!json.path("sock").asText("").isEmpty()) {
            return null;
        }
        if (!json.path("port").canConvertToInt() || !json.path("pid").canConvertToLong()) {
            throw new IllegalArgumentException("no numeric 'port' and 'pid'");
        }
        String root = json.hasNonNull("root_dir") ? json.path("root_dir").asText() : json.path("notebook_dir").asText("");
        return new JupyterServer(kind, json.path("pid").asLong(), dialable(json.path("hostname").asText("")),
                json.path("port").asInt(), json.path("base_url").asText("/"), json.path("token").asText(""),
                json.path("secure").asBoolean(false), root, json.path("version").asText(""), file);
    }

    /** Where to dial a server that listens on {@code hostname}: a wildcard or localhost is reached on loopback. */
    static String dialable(String hostname) {
        return switch (hostname) {
            case "", "0.0.0.0", "*", "localhost" -> "127.0.0.1";
            case "::", "[::]" -> "::1";
            default -> hostname.startsWith("[") && hostname.endsWith("]") ? hostname.substring(1, hostname.length() - 1) : hostname;
        };
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
