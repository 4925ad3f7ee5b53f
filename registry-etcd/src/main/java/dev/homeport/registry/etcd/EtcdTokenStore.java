package dev.homeport.registry.etcd;

import dev.homeport.server.auth.NewToken;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.cluster.ClusterTokenStore;
import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * The cluster's tokens in etcd, under {@code tokens/NAME} ({@link TokenValue}: key hash, rights, creation
 * time). An add reads every token, checks the name and the reservations against them ({@link NewToken})
 * and commits in one transaction only if the name is still free and no other add committed since the
 * read (the {@code token-index} key each add rewrites is no newer than the read): a name is never
 * overwritten and two adds never reserve one port. A revoke deletes the key; every relay's
 * {@link EtcdTokenDirectory} sees the deletion on its watch.
 */
final class EtcdTokenStore implements ClusterTokenStore {
    private static final Logger log = LoggerFactory.getLogger(EtcdTokenStore.class);
    /** Adds that lost a race to another add read again this many times before giving up. */
    static final int ADD_ATTEMPTS = 5;

    private final Client client;
    private final EtcdKeys keys;
    private final long timeoutMillis;
    private final ScheduledThreadPoolExecutor thread;
    private final List<EtcdTokenDirectory> directories = new ArrayList<>();

    private EtcdTokenStore(Client client, RegistryOptions options) {
        this.client = client;
        this.keys = new EtcdKeys(options.prefix());
        this.timeoutMillis = options.callTimeout().toMillis();
        // After close, jetcd's last callbacks find the thread shut down and are dropped.
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "homeport-tokens-etcd");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
    }

    static EtcdTokenStore open(RegistryOptions options) throws RegistryUnavailableException {
        return new EtcdTokenStore(EtcdClients.open(options), options);
    }

    @Override
    public String add(String name, TokenRights rights) throws RegistryUnavailableException {
        NewToken made = NewToken.make(name, rights);
        long deadline = Calls.deadline(timeoutMillis);
        for (int attempt = 1; attempt <= ADD_ATTEMPTS; attempt++) {
            GetResponse read = readAll(deadline);
            made.checkAgainst(decodeAll(read).values());
            long readRevision = read.getHeader().getRevision();
            TxnResponse r = Calls.await(client.getKVClient().txn()
                    .If(new Cmp(Bytes.of(keys.token(name)), Cmp.Op.EQUAL, CmpTarget.createRevision(0)),
                            new Cmp(Bytes.of(keys.tokenIndex()), Cmp.Op.LESS, CmpTarget.modRevision(readRevision + 1)))
                    .Then(Op.put(Bytes.of(keys.token(name)), Bytes.of(TokenValue.encode(made.entry())), PutOption.DEFAULT),
                            Op.put(Bytes.of(keys.tokenIndex()), Bytes.of(name), PutOption.DEFAULT))
                    .commit(), deadline, "add token " + name);
            if (r.isSucceeded()) {
                log.info("event=token_added name={} {} prefix={}", name, rights.describe(), keys.prefix());
                return made.token();
            }
            // Another add committed since the read: read again, and the checks see what it added.
        }
        throw new RegistryUnavailableException("token " + name + " was not added: " + ADD_ATTEMPTS
                + " other adds committed while it tried; try again", null);
    }

    @Override
    public Map<String, TokenFile.Entry> list() throws RegistryUnavailableException {
        return decodeAll(readAll(Calls.deadline(timeoutMillis)));
    }

    @Override
    public boolean revoke(String name) throws RegistryUnavailableException {
        long deleted = Calls.await(client.getKVClient().delete(Bytes.of(keys.token(name))), Calls.deadline(timeoutMillis),
                "revoke token " + name).getDeleted();
        if (deleted > 0) {
            log.info("event=token_revoked name={} prefix={}", name, keys.prefix());
        }
        return deleted > 0;
    }

    @Override
    public synchronized TokenDirectory directory() throws RegistryUnavailableException {
        EtcdTokenDirectory d = new EtcdTokenDirectory(client, keys, thread, timeoutMillis);
        d.start();
        directories.add(d);
        return d;
    }

    private GetResponse readAll(long deadline) throws RegistryUnavailableException {
        return Calls.await(client.getKVClient().get(Bytes.of(keys.tokens()), GetOption.builder().isPrefix(true).build()),
                deadline, "read the cluster's tokens");
    }

    /** The tokens of one read, in key (name) order; a malformed value is left out with a log line. */
    private Map<String, TokenFile.Entry> decodeAll(GetResponse read) {
        Map<String, TokenFile.Entry> entries = new LinkedHashMap<>();
        for (KeyValue kv : read.getKvs()) {
            String name = keys.tokenName(Bytes.text(kv.getKey()));
            try {
                entries.put(name, TokenValue.decode(name, Bytes.text(kv.getValue())));
            } catch (RuntimeException e) {
                log.warn("event=token_ignored key={} reason=\"{}\"", Bytes.text(kv.getKey()), e.getMessage());
            }
        }
        return entries;
    }

    @Override
    public synchronized void close() {
        directories.forEach(EtcdTokenDirectory::close);
        thread.shutdownNow();
        client.close();
    }
}
