package dev.homeport.client;

import io.netty.channel.ConnectTimeoutException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/** A failed TCP connect to the relay in the user's words, without the native call's error number. */
final class ConnectFailure {
    private ConnectFailure() {
    }

    static String describe(Throwable cause) {
        String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        if (cause instanceof ConnectTimeoutException) {
            return "no answer to the connect (" + message + "); is a firewall dropping it?";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host (" + message + ")";
        }
        if (cause instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (cause instanceof ConnectException && message.toLowerCase(java.util.Locale.ROOT).contains("connection refused")) {
            return "connection refused; nothing listens there yet (is the relay running, is the port right?)";
        }
        // Netty's native transport prefixes the system call and errno: "finishConnect(..) failed with error(-111): ".
        int errno = message.indexOf("): ");
        return message.startsWith("finishConnect") && errno >= 0 ? message.substring(errno + 3) : message;
    }
}
