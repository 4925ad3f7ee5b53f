package dev.homeport.client.cli;

/** A {@code HOST:PORT} option value; IPv6 hosts in brackets. */
public record HostPort(String host, int port) {
    public static HostPort parse(String text, String option) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(option + " must be HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be HOST:PORT with a numeric port, got '" + text + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(option + " port must be 1-65535, got " + port);
        }
        return new HostPort(host, port);
    }
}
