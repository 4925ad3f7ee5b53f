package dev.homeport.server.auth;

import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.server.process.OutOfMemoryExit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The tokens of a {@link TokenFile}, re-read whenever the file changes (checked every
 * {@link #POLL_MILLIS} ms), so that {@code token add} and {@code token revoke} apply to a running
 * relay; a revoked token's live sessions are closed. Last use is kept beside it in {@code FILE.last-used}.
 */
public final class FileTokenDirectory implements TokenDirectory, AutoCloseable {
    public static final long POLL_MILLIS = 500;
    private static final Logger log = LoggerFactory.getLogger(FileTokenDirectory.class);

    private final TokenFile file;
    private final Path lastUsedFile;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "homeport-tokens");
        t.setDaemon(true);
        return t;
    });
    private final List<Consumer<String>> revokedListeners = new CopyOnWriteArrayList<>();
    private final Map<String, Instant> lastUsed = new ConcurrentHashMap<>();
    private volatile Map<Long, TokenFile.Entry> byId = Map.of();
    private volatile Map<String, TokenFile.Entry> byName = Map.of();
    private FileTime loadedAt;
    private volatile boolean lastUsedDirty;

    public FileTokenDirectory(TokenFile file) throws IOException {
        this.file = file;
        this.lastUsedFile = file.path().resolveSibling(file.path().getFileName() + ".last-used");
        reload();
        poller.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    public int size() {
        return byName.size();
    }

    @Override
    public TokenKey find(long tokenId) {
        TokenFile.Entry e = byId.get(tokenId);
        return e == null ? null : e.key();
    }

    @Override
    public String reservedBy(int port) {
        return Reservations.ofPort(byName.values(), port);
    }

    @Override
    public String reservedHostBy(String host) {
        return Reservations.ofHost(byName.values(), host);
    }

    @Override
    public TokenRights rights(String principal) {
        TokenFile.Entry e = byName.get(principal);
        return e == null ? null : e.rights();
    }

    @Override
    public void used(String principal) {
        lastUsed.put(principal, Instant.now());
        lastUsedDirty = true;
    }

    @Override
    public void onRevoked(Consumer<String> listener) {
        revokedListeners.add(listener);
    }

    private void poll() {
        try {
            FileTime modified = Files.exists(file.path()) ? Files.getLastModifiedTime(file.path()) : null;
            if (modified == null ? loadedAt != null : !modified.equals(loadedAt)) {
                reload();
            }
            if (lastUsedDirty) {
                lastUsedDirty = false;
                writeLastUsed();
            }
        } catch (IOException | RuntimeException e) {
            // A half-edited or unreadable file keeps the tokens last read; the relay goes on.
            log.warn("event=tokens_reload_failed file={} reason=\"{}\"", file.path(), e.getMessage());
        } catch (Error e) {
            // An error thrown out of here would cancel every later poll, silently: revocations would stop applying.
            OutOfMemoryExit.ifOutOfMemory(e);
            log.error("event=tokens_poll_failed file={}", file.path(), e);
        }
    }

    private synchronized void reload() throws IOException {
        FileTime modified = Files.exists(file.path()) ? Files.getLastModifiedTime(file.path()) : null;
        Map<String, TokenFile.Entry> entries = new HashMap<>(file.read());
        // An older relay let 'token add' take the reserved name; such an entry stays out, so it never
        // acts as (or revokes) the --token holder.
        entries.keySet().removeIf(name -> {
            if (TokenFile.isReserved(name)) {
                log.warn("event=token_ignored file={} name={} reason=\"{}\"", file.path(), name,
                        "reserved for the --token holder; revoke it and add it under another name");
                return true;
            }
            return false;
        });
        Map<Long, TokenFile.Entry> ids = new HashMap<>();
        for (TokenFile.Entry e : entries.values()) {
            ids.put(e.key().id(), e);
        }
        Map<String, TokenFile.Entry> previous = byName;
        byName = Map.copyOf(entries);
        byId = Map.copyOf(ids);
        loadedAt = modified;
        log.info("event=tokens_loaded file={} tokens={}", file.path(), entries.size());
        for (TokenFile.Entry old : previous.values()) {
            TokenFile.Entry now = entries.get(old.name());
            if (now == null || !java.util.Arrays.equals(now.keyHash(), old.keyHash())) {
                log.info("event=token_revoked name={}", old.name());
                for (Consumer<String> l : revokedListeners) {
                    try {
                        l.accept(old.name());
                    } catch (RuntimeException e) {
                        // One listener's failure must not keep the others (closing sessions elsewhere) from hearing it.
                        log.warn("event=token_revoked_listener_failed name={} reason=\"{}\"", old.name(), e.toString());
                    }
                }
            }
        }
    }

    /** Last logins by token name, as written by a running relay. */
    public static Map<String, String> readLastUsed(TokenFile file) throws IOException {
        Path p = file.path().resolveSibling(file.path().getFileName() + ".last-used");
        Map<String, String> result = new HashMap<>();
        if (Files.exists(p)) {
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2) {
                    result.put(parts[0], parts[1]);
                }
            }
        }
        return result;
    }

    private void writeLastUsed() throws IOException {
        Map<String, String> all = readLastUsed(file);
        lastUsed.forEach((name, when) -> all.put(name, when.toString()));
        StringBuilder sb = new StringBuilder();
        all.forEach((name, when) -> sb.append(name).append(' ').append(when).append('\n'));
        Path tmp = lastUsedFile.resolveSibling(lastUsedFile.getFileName() + ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, lastUsedFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
