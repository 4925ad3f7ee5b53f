package dev.homeport.registry.etcd;

import io.etcd.jetcd.ByteSequence;

import java.nio.charset.StandardCharsets;

/** Keys and values are UTF-8 text in this registry. */
final class Bytes {
    private Bytes() {
    }

    static ByteSequence of(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    static String text(ByteSequence bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
