package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;

import java.util.ArrayList;
import java.util.List;

/**
 * What one claim reads in one snapshot (one read-only transaction): the claim key, or none when the
 * name is free, and every member of the name.
 */
record ClaimSnapshot(ClaimValue claim, long createRevision, long modRevision, long lease, List<MemberValue> members,
                     List<String> memberKeys) {

    static ClaimSnapshot read(Client client, EtcdKeys keys, String name, long deadline) throws RegistryUnavailableException {
        TxnResponse r = Calls.await(client.getKVClient().txn().Then(
                Op.get(Bytes.of(keys.claim(name)), GetOption.DEFAULT),
                Op.get(Bytes.of(keys.membersOf(name)), GetOption.builder().isPrefix(true).build())).commit(),
                deadline, "read the claim of " + name);
        List<KeyValue> claimKv = r.getGetResponses().get(0).getKvs();
        List<MemberValue> members = new ArrayList<>();
        List<String> memberKeys = new ArrayList<>();
        for (KeyValue kv : r.getGetResponses().get(1).getKvs()) {
            members.add(MemberValue.decode(Bytes.text(kv.getValue())));
            memberKeys.add(Bytes.text(kv.getKey()));
        }
        if (claimKv.isEmpty()) {
            return new ClaimSnapshot(null, 0, 0, 0, members, memberKeys);
        }
        KeyValue c = claimKv.get(0);
        return new ClaimSnapshot(ClaimValue.decode(Bytes.text(c.getValue())), c.getCreateRevision(), c.getModRevision(), c.getLease(),
                members, memberKeys);
    }
}
