package dev.homeport.server.cli;

import dev.homeport.protocol.SettingValues;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.http.TrustedProxies;
import picocli.CommandLine.Option;

import java.util.List;

/** The public HTTP listener for HTTP tunnels by host name; off unless {@code --http} is given. */
final class HttpOptions {
    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "${env:HOMEPORT_HTTP}",
            description = "Serve HTTP tunnels by host name on this public address, e.g. 0.0.0.0:80 (env HOMEPORT_HTTP). "
                    + "Default: off.")
    String listen;

    @Option(names = "--domain", paramLabel = "DOMAIN", defaultValue = "${env:HOMEPORT_DOMAIN:-}",
            description = "Clients asking for a name without a dot get NAME.DOMAIN, e.g. 'jupyter' becomes "
                    + "jupyter.example.com (env HOMEPORT_DOMAIN). Point a wildcard DNS record *.DOMAIN at the relay.")
    String domain;

    @Option(names = "--trusted-proxy", paramLabel = "CIDR", split = ",",
            description = "Proxies in front of the relay (e.g. a TLS terminator) whose X-Forwarded-* and Forwarded "
                    + "headers are kept and extended; from anyone else they are replaced. Default: none.")
    List<String> trustedProxies;

    @Option(names = "--http-header-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "A public HTTP connection must send a whole request head within this time. Default: ${DEFAULT-VALUE}.")
    String headerTimeout;

    @Option(names = "--http-max-header-size", paramLabel = "SIZE", defaultValue = "16KiB",
            description = "Largest request head accepted (larger: 431). Default: ${DEFAULT-VALUE}.")
    String maxHeaderSize;

    @Option(names = "--http-max-initial-line", paramLabel = "SIZE", defaultValue = "4KiB",
            description = "Longest request line accepted (longer: 414). Default: ${DEFAULT-VALUE}.")
    String maxInitialLine;

    /** @param https whether the HTTPS listener is on, which uses the same domain and HTTP limits */
    HttpSettings toSettings(boolean https) {
        if ((listen == null || listen.isBlank()) && !https) {
            if (domain != null && !domain.isBlank()) {
                throw new IllegalArgumentException("--domain needs --http or --https HOST:PORT, a public web listener");
            }
            return HttpSettings.OFF;
        }
        return new HttpSettings(listen == null || listen.isBlank() ? null : HomeportServerCommand.parseHostPort(listen, "--http"), domain,
                TrustedProxies.parse(trustedProxies), SettingValues.intBytes(maxInitialLine, "--http-max-initial-line"), SettingValues.intBytes(maxHeaderSize, "--http-max-header-size"),
                SettingValues.duration(headerTimeout, "--http-header-timeout"));
    }
}
