package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClaimRequest;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One claim of a name, as rounds of snapshot, decide ({@link ClaimRules}), commit: the commit is one
 * transaction guarded by the claim key (create_revision 0 for a free name, else the mod_revision
 * read), so it fails when any other grant committed since the snapshot, and the next round reads that
 * grant. A commit whose answer was lost (etcd failing over) is recognised in the next round by this
 * session's member key; when the deadline passes first, what it may have written is taken back.
 */
final class ClaimTransaction {
    private static final Logger log = LoggerFactory.getLogger(ClaimTransaction.class);
    /** The most rounds of one claim; each lost round means another claim of the name committed. */
    static final int MAX_ATTEMPTS = 32;

    /** A granted claim: the decision, the claim's lease and create revision (which claim it is), the member written. */
    record Grant(ClaimRules.Decision decision, long claimLease, long claimCreated, String memberKey, MemberValue member) {
    }

    /** The claim's end: a grant, or the decision that refused it. */
    record Result(Grant grant, ClaimRules.Decision refusal) {
    }

    private final Client client;
    private final EtcdKeys keys;

    ClaimTransaction(Client client, EtcdKeys keys) {
        this.client = client;
        this.keys = keys;
    }

    /** Claims for a session of {@code relayId}, whose member key goes under {@code relayLease}; gives up at {@code deadline}. */
    Result run(ClaimRequest req, String relayId, long relayLease, long deadline) throws RegistryUnavailableException {
        String name = req.name();
        String memberKey = keys.member(name, relayId, req.owner().session());
        MemberValue me = new MemberValue(relayId, req.owner().session(), req.instance(), req.connection());
        ClaimRules.Decision uncertain = null;
        long uncertainLease = 0;
        RegistryUnavailableException lastFailure = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS && System.nanoTime() - deadline < 0; attempt++) {
            ClaimSnapshot s;
            try {
                s = ClaimSnapshot.read(client, keys, name, deadline);
            } catch (RegistryUnavailableException e) {
                lastFailure = e;
                break;
            }
            if (uncertain != null && s.claim() != null && s.memberKeys().contains(memberKey)) {
                return new Result(new Grant(uncertain, s.lease(), s.createRevision(), memberKey, me), null); // it did go through
            }
            ClaimRules.Decision d = ClaimRules.decide(req, s.claim(), s.members());
            if (d.claim() == null) {
                return new Result(null, d);
            }
            uncertain = null;
            long claimLease = s.claim() == null
                    ? Calls.await(client.getLeaseClient().grant(Math.max(1, req.grace().toSeconds())), deadline, "grant a claim lease").getID()
                    : s.lease();
            try {
                TxnResponse r = Calls.await(commit(name, s, d, claimLease, memberKey, me, relayLease), deadline, "claim " + name);
                if (r.isSucceeded()) {
                    long created = s.claim() == null ? r.getHeader().getRevision() : s.createRevision();
                    return new Result(new Grant(d, claimLease, created, memberKey, me), null);
                }
                if (s.claim() == null) {
                    client.getLeaseClient().revoke(claimLease); // lost the race for a free name: its lease is not needed
                }
            } catch (RegistryUnavailableException e) {
                lastFailure = e;
                uncertain = d;
                uncertainLease = s.claim() == null ? claimLease : 0;
                log.debug("event=claim_retry name={} attempt={} error=\"{}\"", name, attempt, e.getMessage());
            }
        }
        if (uncertain != null) {
            undo(uncertainLease, memberKey);
        }
        throw lastFailure != null ? lastFailure
                : new RegistryUnavailableException("claim of " + name + " found no quiet moment in " + MAX_ATTEMPTS + " rounds", null);
    }

    private CompletableFuture<TxnResponse> commit(String name, ClaimSnapshot s, ClaimRules.Decision d, long claimLease, String memberKey,
                                                  MemberValue me, long relayLease) {
        ByteSequence claimKey = Bytes.of(keys.claim(name));
        Cmp guard = s.claim() == null ? new Cmp(claimKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0))
                : new Cmp(claimKey, Cmp.Op.EQUAL, CmpTarget.modRevision(s.modRevision()));
        List<Op> ops = new ArrayList<>();
        List<String> gone = new ArrayList<>(s.claim() == null ? s.memberKeys() : List.of()); // left over from a lapsed claim
        d.replaced().forEach(m -> gone.add(keys.member(name, m.relayId(), m.session())));
        for (String key : gone) {
            if (!key.equals(memberKey)) {
                ops.add(Op.delete(Bytes.of(key), DeleteOption.DEFAULT));
            }
        }
        ops.add(Op.put(claimKey, Bytes.of(d.claim().encode()), PutOption.builder().withLeaseId(claimLease).build()));
        ops.add(Op.put(Bytes.of(memberKey), Bytes.of(me.encode()), PutOption.builder().withLeaseId(relayLease).build()));
        return client.getKVClient().txn().If(guard).Then(ops.toArray(Op[]::new)).commit();
    }

    /** After a claim whose outcome is unknown: takes back what it may have written, without waiting. */
    private void undo(long newClaimLease, String memberKey) {
        if (newClaimLease != 0) {
            client.getLeaseClient().revoke(newClaimLease);
        }
        client.getKVClient().delete(Bytes.of(memberKey));
    }
}
