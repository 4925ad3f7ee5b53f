package dev.homeport.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Every address of a relay's host name (A and AAAA records); an address literal is its own only address. */
@FunctionalInterface
public interface RelayResolver {
    RelayResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    List<InetAddress> addresses(String host) throws UnknownHostException;
}
