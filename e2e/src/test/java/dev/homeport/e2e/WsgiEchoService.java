package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiredPrograms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local service on Python's wsgiref (the reference WSGI server) that answers each request with the
 * {@code HTTP_*} variables of its WSGI environ, one {@code NAME=value} line each. wsgiref, like every
 * CGI-style gateway, turns {@code -} into {@code _} and joins fields that meet in one variable with
 * commas, so a test sees exactly what a WSGI application would believe about a request.
 */
final class WsgiEchoService implements AutoCloseable {
    private static final String SCRIPT = """
            import sys
            from wsgiref.simple_server import make_server, WSGIRequestHandler

            def app(environ, start_response):
                lines = sorted(k + '=' + v for k, v in environ.items() if k.startswith('HTTP_'))
                body = ('\\n'.join(lines) + '\\n').encode('latin-1')
                start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
                return [body]

            server = make_server('127.0.0.1', 0, app, handler_class=WSGIRequestHandler)
            print('port=%d' % server.server_port, flush=True)
            server.serve_forever()
            """;
    private static final Pattern PORT = Pattern.compile("port=(\\d+)");

    private final ExternalProcess process;
    private final int port;

    private WsgiEchoService(ExternalProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    static WsgiEchoService start(Path dir) throws Exception {
        Path script = dir.resolve("wsgi_echo.py");
        Files.writeString(script, SCRIPT);
        Path python = RequiredPrograms.require("python3", "python3");
        ExternalProcess p = ExternalProcess.start("wsgiref", List.of(python.toString(), "-u", script.toString()), Map.of(),
                dir.resolve("wsgi_echo.log"));
        int[] port = {0};
        try {
            Await.until(Duration.ofSeconds(20), "wsgiref prints its port", () -> {
                Matcher m = PORT.matcher(p.output());
                if (m.find()) {
                    port[0] = Integer.parseInt(m.group(1));
                }
                return port[0] != 0 || !p.alive();
            });
            if (port[0] == 0) {
                throw new IllegalStateException("wsgiref exited: " + p.output());
            }
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
        return new WsgiEchoService(p, port[0]);
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
