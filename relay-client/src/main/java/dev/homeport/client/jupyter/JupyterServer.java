package dev.homeport.client.jupyter;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One running Jupyter server, as its runtime file describes it ({@code jpserver-PID.json} of
 * jupyter_server, {@code nbserver-PID.json} of notebook 6), or as the user named it with
 * {@code --port}. {@code baseUrl} starts and ends with a slash; {@code token} may be empty.
 */
public record JupyterServer(Kind kind, long pid, String host, int port, String baseUrl, String token, boolean secure,
                            String rootDir, String version, Path runtimeFile) {

    /** Which Jupyter application serves; it decides the option names in advice. */
    public enum Kind {
        /** jupyter_server (JupyterLab 3+, Notebook 7): options of {@code ServerApp}. */
        SERVER("ServerApp", "jupyter_server_config.py", "jupyter_server"),
        /** The classic notebook 6 server: options of {@code NotebookApp}. */
        NOTEBOOK("NotebookApp", "jupyter_notebook_config.py", "notebook 6"),
        /** Told only a port: the advice names both applications. */
        UNKNOWN("", "", "unknown kind");

        private final String app;
        private final String configFile;
        private final String label;

        Kind(String app, String configFile, String label) {
            this.app = app;
            this.configFile = configFile;
            this.label = label;
        }

        /** The configurable class: {@code ServerApp} or {@code NotebookApp}. */
        public String app() {
            return app;
        }

        /** The Python config file in the Jupyter config directory that this application reads. */
        public String configFile() {
            return configFile;
        }

        public String label() {
            return label;
        }
    }

    public JupyterServer {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Jupyter port must be 1-65535, got " + port);
        }
        baseUrl = baseUrl == null || baseUrl.isEmpty() ? "/" : baseUrl;
        baseUrl = (baseUrl.startsWith("/") ? "" : "/") + baseUrl + (baseUrl.endsWith("/") ? "" : "/");
        token = token == null ? "" : token;
        rootDir = rootDir == null ? "" : rootDir;
        version = version == null ? "" : version;
    }

    /** A server known only by its port, on this machine's loopback. */
    public static JupyterServer atPort(int port, String token) {
        return new JupyterServer(Kind.UNKNOWN, 0, "127.0.0.1", port, "/", token, false, "", "", null);
    }

    public JupyterServer withToken(String newToken) {
        return new JupyterServer(kind, pid, host, port, baseUrl, newToken, secure, rootDir, version, runtimeFile);
    }

    /** The URL on this machine, as {@code jupyter notebook list} shows it, without the token. */
    public String localUrl() {
        return (secure ? "https" : "http") + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + baseUrl;
    }

    /** One line for a list of servers to choose from. */
    public String describe() {
        return "port " + port + "  " + localUrl() + "  (" + kind.label() + (version.isEmpty() ? "" : " " + version)
                + (pid > 0 ? ", pid " + pid : "") + (rootDir.isEmpty() ? "" : ", " + rootDir) + ")";
    }
}
