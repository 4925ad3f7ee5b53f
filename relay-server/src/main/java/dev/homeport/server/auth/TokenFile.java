package dev.homeport.server.auth;

import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.server.PortRange;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokens file: one line per token, {@code NAME KEY_HASH ports=LO-HI|* hosts=a,b|- [reserve=PORT] [reserve-host=NAME] created=TIME}.
 * It holds only the key hash of each token (PROTOCOL.md, "Authentication"), never the token, so
 * the token is shown once, when it is made. Changes take a file lock and replace the file atomically,
 * so the CLI and a running relay never see half a file.
 */
public final class TokenFile {
    /** One entry of the file. */
    public record Entry(String name, byte[] keyHash, TokenRights rights, Instant created) {
        public TokenKey key() {
            return TokenKey.fromKeyHash(name, keyHash);
        }
    }

    private final Path file;

    public TokenFile(Path file) {
        this.file = file;
    }

    public Path path() {
        return file;
    }

    public Map<String, Entry> read() throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return entries;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                Entry e = parse(line);
                entries.put(e.name(), e);
            } catch (RuntimeException bad) {
                throw new IOException(file + " line " + (i + 1) + ": " + bad.getMessage()
                        + " (expected NAME KEY_HASH ports=LO-HI|* hosts=NAMES|- [reserve=PORT] [reserve-host=NAME] created=TIME)");
            }
        }
        return entries;
    }

    /** Adds a token and returns it; the only time the token itself exists outside its holder. */
    public String add(String name, TokenRights rights) throws IOException {
        NewToken made = NewToken.make(name, rights);
        update(entries -> {
            made.checkAgainst(entries.values());
            entries.put(name, made.entry());
        });
        return made.token();
    }

    /**
     * The name the relay gives the {@code --token} holder ({@link SingleToken#PRINCIPAL}): a file token of
     * that name would share its identity (every right, its live names, its revocation), so the file may not have one.
     */
    public static boolean isReserved(String name) {
        return SingleToken.PRINCIPAL.equals(name);
    }

    static String reservedReason(String name) {
        return "token name '" + name + "' is reserved for the --token holder; choose another name";
    }

    /** @return whether a token of that name existed */
    public boolean revoke(String name) throws IOException {
        boolean[] found = new boolean[1];
        update(entries -> found[0] = entries.remove(name) != null);
        return found[0];
    }

    private interface Change {
        void apply(Map<String, Entry> entries);
    }

    @SuppressWarnings("try") // the lock is held for the block; its variable is never read
    private void update(Change change) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path lockFile = dir.resolve(file.getFileName() + ".lock");
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            Map<String, Entry> entries = read();
            change.apply(entries);
            List<String> lines = new ArrayList<>();
            lines.add("# Homeport relay tokens: NAME KEY_HASH ports=LO-HI|* hosts=NAMES|- [reserve=PORT] [reserve-host=NAME] created=TIME");
            lines.add("# Managed by 'homeport-server token add|list|revoke'. Holds key hashes, never tokens.");
            for (Entry e : entries.values()) {
                lines.add(e.name() + " " + HexFormat.of().formatHex(e.keyHash()) + " " + e.rights().describe()
                        + " created=" + e.created());
            }
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the directory's ACL applies.
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static Entry parse(String line) {
        String[] parts = line.split("\\s+");
        if (parts.length < 2) {
            throw new IllegalArgumentException("too few fields");
        }
        byte[] hash = HexFormat.of().parseHex(parts[1]);
        if (hash.length != 32) {
            throw new IllegalArgumentException("key hash must be 64 hex digits");
        }
        PortRange ports = null;
        List<String> hosts = List.of();
        int reserved = 0;
        String reservedHost = "";
        Instant created = Instant.EPOCH;
        for (String field : Arrays.copyOfRange(parts, 2, parts.length)) {
            int eq = field.indexOf('=');
            String key = eq < 0 ? field : field.substring(0, eq);
            String value = eq < 0 ? "" : field.substring(eq + 1);
            switch (key) {
                case "ports" -> ports = value.equals("*") ? null : PortRange.parse(value);
                case "hosts" -> hosts = value.equals("-") ? List.of() : List.of(value.split(","));
                case "reserve" -> reserved = Integer.parseInt(value);
                case "reserve-host" -> reservedHost = value;
                case "created" -> created = Instant.parse(value);
                default -> throw new IllegalArgumentException("unknown field '" + key + "'");
            }
        }
        return new Entry(parts[0], hash, new TokenRights(ports, hosts, reserved, reservedHost), created);
    }
}
