package dev.relay.it;

import dev.relay.signaling.RelayServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one value from the relay's Prometheus text ({@code /metrics}). */
final class Scrape {
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private Scrape() {
    }

    /** The value of {@code name} whose labels include all of {@code labels}; fails if there is none. */
    static double value(RelayServer relay, String name, Map<String, String> labels) {
        for (String line : relay.scrapeMetrics().split("\n")) {
            if (labels.isEmpty() && line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length()).trim());
            }
            if (!line.startsWith(name + "{")) {
                continue;
            }
            int close = line.indexOf('}');
            Map<String, String> found = new HashMap<>();
            Matcher m = LABEL.matcher(line.substring(name.length() + 1, close));
            while (m.find()) {
                found.put(m.group(1), m.group(2));
            }
            if (found.entrySet().containsAll(labels.entrySet())) {
                return Double.parseDouble(line.substring(close + 1).trim());
            }
        }
        throw new AssertionError("no metric " + name + labels);
    }

    static double await(RelayServer relay, String name, Map<String, String> labels, DoublePredicate condition,
                        Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            double value = value(relay, name, labels);
            if (condition.test(value)) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + labels + " still " + value + " after " + timeout.toMillis() + " ms");
            }
            Thread.sleep(100);
        }
    }
}
