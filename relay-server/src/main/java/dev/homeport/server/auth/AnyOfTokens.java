package dev.homeport.server.auth;

import dev.homeport.protocol.handshake.TokenKey;

import java.util.List;
import java.util.function.Consumer;

/** Accepts a token from any of several directories: the single {@code --token} beside a tokens file. */
public final class AnyOfTokens implements TokenDirectory {
    private final List<TokenDirectory> directories;

    public AnyOfTokens(List<TokenDirectory> directories) {
        if (directories.isEmpty()) {
            throw new IllegalArgumentException("no tokens: give --token, or add one with 'homeport-server token add NAME'");
        }
        this.directories = List.copyOf(directories);
    }

    @Override
    public TokenKey find(long tokenId) {
        for (TokenDirectory d : directories) {
            TokenKey k = d.find(tokenId);
            if (k != null) {
                return k;
            }
        }
        return null;
    }

    @Override
    public String reservedBy(int port) {
        for (TokenDirectory d : directories) {
            String holder = d.reservedBy(port);
            if (holder != null) {
                return holder;
            }
        }
        return null;
    }

    @Override
    public String reservedHostBy(String host) {
        for (TokenDirectory d : directories) {
            String holder = d.reservedHostBy(host);
            if (holder != null) {
                return holder;
            }
        }
        return null;
    }

    @Override
    public TokenRights rights(String principal) {
        for (TokenDirectory d : directories) {
            TokenRights r = d.rights(principal);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    @Override
    public void used(String principal) {
        directories.forEach(d -> d.used(principal));
    }

    @Override
    public void onRevoked(Consumer<String> listener) {
        directories.forEach(d -> d.onRevoked(listener));
    }
}
