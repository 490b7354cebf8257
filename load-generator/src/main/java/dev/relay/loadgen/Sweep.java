package dev.relay.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code --sweep} varies and over which values, parsed from {@code KEY=V1,V2,...}. Pure:
 * a string in, a typed value or an {@link IllegalArgumentException} with the reason out.
 *
 * @param parameter the option the sweep sets at each point
 * @param values    the points, in the order given, each distinct and at least 1
 */
record Sweep(Parameter parameter, List<Integer> values) {
    /** The options a sweep can vary; each is the same as setting that option for one run. */
    enum Parameter {
        /** --subscribers of a broadcast room. */
        SUBSCRIBERS,
        /** --participants of a meeting or audio room. */
        PARTICIPANTS,
        /** --rooms of the scenario, each of the scenario's size. */
        ROOMS;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** At most this many points: every point is a whole run per server. */
    static final int MAX_POINTS = 12;

    Sweep {
        values = List.copyOf(values);
    }

    static Sweep parse(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("--sweep takes KEY=V1,V2,..., e.g. subscribers=50,200,400,800");
        }
        String key = text.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        Parameter parameter = null;
        for (Parameter p : Parameter.values()) {
            if (p.label().equals(key)) {
                parameter = p;
            }
        }
        if (parameter == null) {
            throw new IllegalArgumentException("--sweep: unknown key '" + key
                    + "'; one of subscribers, participants, rooms");
        }
        List<Integer> values = new ArrayList<>();
        for (String part : text.substring(eq + 1).split(",", -1)) {
            int value;
            try {
                value = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--sweep: '" + part.trim() + "' is not a whole number");
            }
            if (value < 1) {
                throw new IllegalArgumentException("--sweep: values must be at least 1, got " + value);
            }
            if (values.contains(value)) {
                throw new IllegalArgumentException("--sweep: " + value + " is given twice");
            }
            values.add(value);
        }
        if (values.size() < 2 || values.size() > MAX_POINTS) {
            throw new IllegalArgumentException("--sweep needs 2.." + MAX_POINTS + " values, got " + values.size());
        }
        return new Sweep(parameter, values);
    }

    /** The sweep as given on the command line, e.g. {@code subscribers=50,200}. */
    String label() {
        StringBuilder out = new StringBuilder(parameter.label()).append('=');
        for (int i = 0; i < values.size(); i++) {
            out.append(i == 0 ? "" : ",").append(values.get(i));
        }
        return out.toString();
    }
}
