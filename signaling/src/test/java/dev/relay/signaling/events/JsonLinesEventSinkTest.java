package dev.relay.signaling.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class JsonLinesEventSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldAppendOneCloudEventPerLine() throws Exception {
        Path file = dir.resolve("sub/events.jsonl");
        JsonLinesEventSink sink = new JsonLinesEventSink(file, 1024);
        for (long i = 1; i <= 100; i++) {
            sink.publish(QueuedEventSinkTest.event(i));
        }
        sink.close(Duration.ofSeconds(5));

        List<String> lines = Files.readAllLines(file);
        assertEquals(100, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode json = JSON.readTree(lines.get(i));
            assertEquals("1.0", json.get("specversion").asText());
            assertEquals("id-" + (i + 1), json.get("id").asText());
            assertEquals(i + 1, json.get("data").get("n").asLong());
        }
        assertEquals(100, sink.published());
    }

    @Test
    void shouldKeepEarlierLinesAcrossRestarts() throws Exception {
        Path file = dir.resolve("events.jsonl");
        for (int run = 0; run < 2; run++) {
            JsonLinesEventSink sink = new JsonLinesEventSink(file, 16);
            sink.publish(QueuedEventSinkTest.event(run));
            sink.close(Duration.ofSeconds(5));
        }
        List<String> ids = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            ids.add(JSON.readTree(line).get("id").asText());
        }
        assertEquals(List.of("id-0", "id-1"), ids);
    }

    @Test
    void shouldWriteLinesWhileRunningNotOnlyAtClose() throws Exception {
        Path file = dir.resolve("live.jsonl");
        JsonLinesEventSink sink = new JsonLinesEventSink(file, 16);
        sink.publish(QueuedEventSinkTest.event(1));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (Files.size(file) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, Files.readAllLines(file).size(), "flushed once the queue ran empty");
        sink.close(Duration.ofSeconds(5));
    }
}
