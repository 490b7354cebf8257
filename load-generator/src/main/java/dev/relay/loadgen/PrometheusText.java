package dev.relay.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A reader for the Prometheus text exposition format (version 0.0.4) the relay serves at
 * {@code /metrics}: {@code name{label="value",...} number} lines, comments skipped.
 */
final class PrometheusText {
    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            line = line.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Sample sample = parseLine(line);
            if (sample != null) {
                samples.add(sample);
            }
        }
        return new PrometheusText(samples);
    }

    List<Sample> samples() {
        return samples;
    }

    /** Sum over every sample of {@code name} whose labels pass {@code filter}; NaN if there is none. */
    double sum(String name, Predicate<Map<String, String>> filter) {
        double sum = 0;
        boolean found = false;
        for (Sample sample : samples) {
            if (sample.name().equals(name) && filter.test(sample.labels())) {
                sum += sample.value();
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    double sum(String name) {
        return sum(name, labels -> true);
    }

    /** Values of {@code name} keyed by one label's value (e.g. drops by reason). */
    Map<String, Double> byLabel(String name, String label) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Sample sample : samples) {
            if (sample.name().equals(name)) {
                out.merge(sample.labels().getOrDefault(label, ""), sample.value(), Double::sum);
            }
        }
        return out;
    }

    private static Sample parseLine(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        int rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (i < line.length() && line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    return null;
                }
                String key = line.substring(i, eq).trim();
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\' && j + 1 < line.length()) {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(key, value.toString());
                i = j + 1;
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                }
            }
            rest = i + 1;
        } else if (space > 0) {
            name = line.substring(0, space);
            rest = space;
        } else {
            return null;
        }
        String[] tail = line.substring(Math.min(rest, line.length())).trim().split("\\s+");
        if (tail.length == 0 || tail[0].isEmpty()) {
            return null;
        }
        try {
            return new Sample(name, labels, parseValue(tail[0]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double parseValue(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }
}
