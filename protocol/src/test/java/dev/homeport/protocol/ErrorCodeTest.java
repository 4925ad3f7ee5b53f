package dev.homeport.protocol;

import dev.homeport.protocol.frame.FrameType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.stream.Collectors.toMap;
import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Error codes" (and the frame type table): the spec's tables and the enums agree. */
class ErrorCodeTest {
    private static final Path SPEC = Path.of("PROTOCOL.md");

    @Test
    void everyErrorCodeHasTheNumberTheSpecGivesIt() throws IOException {
        Map<String, Integer> spec = tableRows(section("## Error codes"), "^\\|\\s*(\\d+)\\s*\\|\\s*([A-Z_]+)\\s*\\|", false);
        Map<String, Integer> code = Stream.of(ErrorCode.values())
                .collect(toMap(ErrorCode::name, ErrorCode::code, (a, b) -> a, LinkedHashMap::new));

        assertThat(spec).containsExactlyEntriesOf(code);
    }

    @Test
    void everyFrameTypeHasTheCodeTheSpecGivesIt() throws IOException {
        Map<String, Integer> spec = tableRows(section("## Frame types"), "^\\|\\s*0x([0-9A-F]{2})\\s*\\|\\s*([A-Z_]+)\\s*\\|", true);
        Map<String, Integer> code = Stream.of(FrameType.values())
                .collect(toMap(FrameType::name, FrameType::code, (a, b) -> a, LinkedHashMap::new));

        assertThat(spec).containsExactlyEntriesOf(code);
    }

    @Test
    void unknownCodesReadAsInternalError() {
        assertThat(ErrorCode.of(ErrorCode.values().length)).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(ErrorCode.of(-1)).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(ErrorCode.of(Integer.MAX_VALUE)).isEqualTo(ErrorCode.INTERNAL_ERROR);
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(ErrorCode.of(c.code())).isEqualTo(c);
        }
    }

    private static List<String> section(String heading) throws IOException {
        List<String> lines = Files.readAllLines(SPEC);
        int start = lines.indexOf(heading);
        assertThat(start).as("PROTOCOL.md has a section %s", heading).isNotNegative();
        int end = start + 1;
        while (end < lines.size() && !lines.get(end).startsWith("## ")) {
            end++;
        }
        return lines.subList(start + 1, end);
    }

    private static Map<String, Integer> tableRows(List<String> lines, String regex, boolean hex) {
        Pattern row = Pattern.compile(regex);
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                out.put(m.group(2), Integer.parseInt(m.group(1), hex ? 16 : 10));
            }
        }
        return out;
    }
}
