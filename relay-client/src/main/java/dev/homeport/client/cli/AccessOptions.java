package dev.homeport.client.cli;

import picocli.CommandLine.Option;

import java.util.List;

/** The allow list every kind of tunnel may have, enforced by the relay. */
final class AccessOptions {
    @Option(names = "--allow-cidr", paramLabel = "CIDR", split = ",",
            description = "Only these public addresses may connect (e.g. 192.0.2.0/24, 2001:db8::/32, 198.51.100.7); "
                    + "repeatable. Others get 403 (HTTP) or a closed connection. Default: everyone.")
    List<String> allowCidrs;

    List<String> allowFrom() {
        return allowCidrs == null ? List.of() : allowCidrs;
    }
}
