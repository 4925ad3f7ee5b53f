package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiredPrograms;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's nginx as a PROXY protocol consumer: one HTTP server on a loopback port whose listener
 * reads a PROXY header ({@code listen ... proxy_protocol}), optionally with TLS, answering every
 * request with {@code $proxy_protocol_addr $proxy_protocol_port} and logging it in its access log.
 * It runs in the foreground from a prefix directory of its own, as the test's user.
 */
final class NginxProcess implements AutoCloseable {
    static final String PROGRAM = "nginx";
    static final String PACKAGE = "nginx";

    private final ExternalProcess process;
    final Path accessLog;
    final int port;

    private NginxProcess(ExternalProcess process, Path accessLog, int port) {
        this.process = process;
        this.accessLog = accessLog;
        this.port = port;
    }

    /** With {@code tls} (certificate, key), the listener is {@code ssl proxy_protocol}: the header comes before the TLS bytes. */
    static NginxProcess start(Path dir, int port, TestCa.Issued tls) throws Exception {
        Path binary = RequiredPrograms.require(PROGRAM, PACKAGE);
        Files.createDirectories(dir.resolve("logs"));
        Path accessLog = dir.resolve("logs/access.log");
        String ssl = tls == null ? "" : " ssl";
        String certificate = tls == null ? "" : "    ssl_certificate " + tls.certificateFile() + ";\n"
                + "    ssl_certificate_key " + tls.keyFile() + ";\n";
        String conf = "worker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("logs/error.log") + " info;\n"
                + "events { worker_connections 64; }\n"
                + "http {\n"
                + "  client_body_temp_path " + dir.resolve("body") + ";\n"
                + "  proxy_temp_path " + dir.resolve("proxy") + ";\n"
                + "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n"
                + "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n"
                + "  scgi_temp_path " + dir.resolve("scgi") + ";\n"
                + "  log_format peer '$proxy_protocol_addr $proxy_protocol_port $remote_addr \"$request\"';\n"
                + "  access_log " + accessLog + " peer;\n"
                + "  server {\n"
                + "    listen 127.0.0.1:" + port + ssl + " proxy_protocol;\n"
                + certificate
                + "    location / { default_type text/plain; return 200 \"$proxy_protocol_addr $proxy_protocol_port\\n\"; }\n"
                + "  }\n"
                + "}\n";
        Path confFile = dir.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        ExternalProcess p = ExternalProcess.start("nginx", List.of(binary.toString(), "-e", dir.resolve("logs/error.log").toString(),
                "-p", dir.toString(), "-c", confFile.toString(), "-g", "daemon off; master_process off;"), Map.of(), dir.resolve("nginx.out"));
        NginxProcess nginx = new NginxProcess(p, accessLog, port);
        nginx.awaitListening();
        return nginx;
    }

    private void awaitListening() throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new AssertionError("nginx exited:\n" + process.output());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nginx did not listen on " + port + ":\n" + process.output());
    }

    String accessLog() throws IOException {
        return Files.exists(accessLog) ? Files.readString(accessLog) : "";
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
