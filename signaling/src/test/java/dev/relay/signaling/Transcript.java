package dev.relay.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the relay did, one line per outgoing message or session event, in the order it did it:
 * {@code "alice <- {json}"}, {@code "alice closed"}, {@code "event ..."}. SDP bodies are cut to
 * one summary per m-section ({@link #summarize}) so lines do not depend on random ICE
 * credentials or SSRCs. Written on the control thread, read by the test.
 */
final class Transcript {
    private final List<String> lines = new ArrayList<>();

    synchronized void add(String line) {
        lines.add(line);
        notifyAll();
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** Everything recorded since the last call. */
    synchronized List<String> drain() {
        List<String> copy = List.copyOf(lines);
        lines.clear();
        return copy;
    }

    /** Waits until some line matches; a condition, not a sleep. */
    synchronized String await(Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : lines) {
                if (condition.test(line)) {
                    return line;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching line within " + timeout + " in " + lines);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** A message as one line: its JSON with {@code sdp} replaced by {@link #summarize}. */
    static String render(ObjectNode message) {
        ObjectNode copy = message.deepCopy();
        JsonNode sdp = copy.get("sdp");
        if (sdp != null && sdp.isTextual()) {
            copy.put("sdp", summarize(sdp.asText()));
        }
        return copy.toString();
    }

    /**
     * One entry per m-section: kind, mid, direction and msid, e.g.
     * {@code "video 1 sendonly p1 alice-video"}; port 0 (rejected) shows as {@code rejected}.
     */
    static String summarize(String sdp) {
        List<String> sections = new ArrayList<>();
        StringBuilder current = null;
        for (String line : sdp.split("\r\n")) {
            if (line.startsWith("m=")) {
                if (current != null) {
                    sections.add(current.toString());
                }
                String[] parts = line.substring(2).split(" ");
                current = new StringBuilder(parts[0]);
                if (parts[1].equals("0")) {
                    current.append(" rejected");
                }
            } else if (current != null && (line.startsWith("a=mid:") || line.startsWith("a=msid:"))) {
                current.append(' ').append(line.substring(line.indexOf(':') + 1));
            } else if (current != null && (line.equals("a=sendonly") || line.equals("a=recvonly")
                    || line.equals("a=inactive") || line.equals("a=sendrecv"))) {
                current.append(' ').append(line.substring(2));
            }
        }
        if (current != null) {
            sections.add(current.toString());
        }
        return String.join("; ", sections);
    }
}
