package dev.homeport.deploy;

import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** A compose file as SnakeYAML reads it (anchors and {@code <<} merge keys resolved), and typed views of its nodes. */
final class Yamls {
    private Yamls() {
    }

    static Map<String, Object> load(Path file) {
        try {
            return new Yaml().load(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    /** An environment map; compose passes every value to the container as text. */
    static Map<String, String> strings(Object o) {
        Map<String, String> env = new TreeMap<>();
        map(o).forEach((k, v) -> env.put(k, String.valueOf(v)));
        return env;
    }
}
