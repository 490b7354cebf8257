package dev.relay.loadgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The numbers of a {@code --sweep}: per swept value and server one run's headline (egress
 * packets, as the subscribers counted them, per CPU-second of the server), loss, latency, CPU and
 * RSS, the relay/janus ratio per value, and the series the plot draws. A point whose streams did
 * not all flow, or whose run could not be made, is kept in the table as failed and is a gap (NaN)
 * in its series, never a zero. Pure: numbers in, text, JSON and series out.
 */
final class Curves {
    /**
     * One run of one server at one swept value; NaN (RSS: NaN) where unknown.
     *
     * @param failure why the point is not on the curve, or null when every stream flowed
     */
    record Point(int value, String server, int streamsFlowing, int streamsExpected, double egressPerCpuSecond,
                 double lossPercent, double p50Ms, double p99Ms, double cpuPercentOfOneCore, double rssMaxMiB,
                 String failure) {

        static Point of(int value, RunReport r) {
            Comparison.Row row = Comparison.Row.of(r);
            String failure = r.allStreamsFlowing() ? null
                    : "streams " + r.streamsFlowing + "/" + r.streamsExpected + " flowing"
                            + (r.peersFailedToJoin > 0 ? ", " + r.peersFailedToJoin + " peers failed to join" : "");
            return new Point(value, row.server(), row.streamsFlowing(), row.streamsExpected(),
                    row.egressPerCpuSecond(), row.lossPercent(), row.p50Ms(), row.p99Ms(),
                    r.relayCpuSeconds / r.windowSeconds * 100, row.rssMaxMiB(), failure);
        }

        /** A run that could not be made at all (the server did not start, say). */
        static Point notRun(int value, String server, String reason) {
            return new Point(value, server, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, reason);
        }

        boolean onCurve() {
            return failure == null && !Double.isNaN(egressPerCpuSecond) && !Double.isInfinite(egressPerCpuSecond);
        }
    }

    private final Sweep sweep;
    private final String scenario;
    private final List<String> servers;
    private final List<Point> points;

    /**
     * @param scenario a label for what each room is, e.g. "broadcast, 1 room of 1 publisher -> N subscribers"
     * @param servers  the servers in run order; each has a line
     */
    Curves(Sweep sweep, String scenario, List<String> servers, List<Point> points) {
        this.sweep = sweep;
        this.scenario = scenario;
        this.servers = List.copyOf(servers);
        this.points = List.copyOf(points);
    }

    Sweep sweep() {
        return sweep;
    }

    String scenario() {
        return scenario;
    }

    List<String> servers() {
        return servers;
    }

    /** The swept values as the x of the plot. */
    double[] xs() {
        double[] xs = new double[sweep.values().size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = sweep.values().get(i);
        }
        return xs;
    }

    /** The server's egress per CPU-second at each swept value; NaN where it failed or did not run. */
    double[] series(String server) {
        double[] ys = new double[sweep.values().size()];
        for (int i = 0; i < ys.length; i++) {
            Point p = find(sweep.values().get(i), server);
            ys[i] = p != null && p.onCurve() ? p.egressPerCpuSecond() : Double.NaN;
        }
        return ys;
    }

    /** relay / janus egress per CPU-second at {@code value}, NaN unless both are on their curves. */
    double ratio(int value) {
        Point relay = find(value, "relay");
        Point janus = find(value, "janus");
        if (relay == null || janus == null || !relay.onCurve() || !janus.onCurve()) {
            return Double.NaN;
        }
        return Comparison.ratio(relay.egressPerCpuSecond(), janus.egressPerCpuSecond());
    }

    boolean allOnCurve() {
        return points.size() == sweep.values().size() * servers.size() && points.stream().allMatch(Point::onCurve);
    }

    Point find(int value, String server) {
        for (Point p : points) {
            if (p.value() == value && p.server().equals(server)) {
                return p;
            }
        }
        return null;
    }

    private boolean ratioColumn() {
        return servers.contains("relay") && servers.contains("janus");
    }

    String toText() {
        StringBuilder out = new StringBuilder();
        out.append("sweep ").append(sweep.label()).append(" (").append(scenario).append(
                "; each point a fresh server, alone, in turn)\n");
        String format = "%11s %-6s %9s %8s %14s %8s %9s %9s %8s %12s  %s%n";
        out.append(String.format(Locale.ROOT, format, sweep.parameter().label(), "server", "streams", "CPU %",
                "egress/CPU-s", "loss %", "p50 ms", "p99 ms", "RSS MiB", ratioColumn() ? "relay/janus" : "", "")
                .stripTrailing()).append('\n');
        for (int value : sweep.values()) {
            for (int s = 0; s < servers.size(); s++) {
                String server = servers.get(s);
                Point p = find(value, server);
                boolean last = s == servers.size() - 1;
                String ratio = ratioColumn() && last ? num(ratio(value), "x%.2f") : "";
                if (p == null) {
                    out.append(String.format(Locale.ROOT, format, value, server, "", "", "", "", "", "", "", ratio,
                            "not run").stripTrailing()).append('\n');
                    continue;
                }
                out.append(String.format(Locale.ROOT, format, value, server,
                        p.streamsExpected() == 0 ? "n/a" : p.streamsFlowing() + "/" + p.streamsExpected(),
                        num(p.cpuPercentOfOneCore(), "%.1f"), num(p.egressPerCpuSecond(), "%,.0f"),
                        num(p.lossPercent(), "%.3f"), num(p.p50Ms(), "%.2f"), num(p.p99Ms(), "%.2f"),
                        num(p.rssMaxMiB(), "%.1f"), ratio, p.failure() == null ? "" : "FAILED: " + p.failure())
                        .stripTrailing()).append('\n');
            }
        }
        out.append("egress/CPU-s: packets the subscribers received per CPU-second of the server; a FAILED point"
                + " is left out of the plot (a gap)\n");
        return out.toString();
    }

    ObjectNode toJson() {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("sweep", sweep.parameter().label());
        ArrayNode values = root.putArray("values");
        sweep.values().forEach(values::add);
        root.put("scenario", scenario);
        ArrayNode pointsNode = root.putArray("points");
        for (int value : sweep.values()) {
            for (String server : servers) {
                Point p = find(value, server);
                if (p == null) {
                    continue;
                }
                ObjectNode n = pointsNode.addObject();
                n.put("value", value);
                n.put("server", server);
                n.put("onCurve", p.onCurve());
                n.put("streamsFlowing", p.streamsFlowing());
                n.put("streamsExpected", p.streamsExpected());
                put(n, "egressPerCpuSecond", p.egressPerCpuSecond());
                put(n, "lossPercent", p.lossPercent());
                put(n, "p50Ms", p.p50Ms());
                put(n, "p99Ms", p.p99Ms());
                put(n, "cpuPercentOfOneCore", p.cpuPercentOfOneCore());
                put(n, "rssMaxMiB", p.rssMaxMiB());
                if (p.failure() != null) {
                    n.put("failure", p.failure());
                }
            }
        }
        if (ratioColumn()) {
            ArrayNode ratios = root.putArray("relayOverJanusEgressPerCpuSecond");
            for (int value : sweep.values()) {
                double r = ratio(value);
                if (Double.isNaN(r)) {
                    ratios.addNull();
                } else {
                    ratios.add(Math.round(r * 1000) / 1000.0);
                }
            }
        }
        return root;
    }

    /** The servers' names in the order given, for callers that build the list from targets. */
    static List<String> labels(List<Target> targets) {
        List<String> out = new ArrayList<>();
        targets.forEach(t -> out.add(t.label()));
        return out;
    }

    private static void put(ObjectNode node, String field, double value) {
        if (!Double.isNaN(value) && !Double.isInfinite(value)) {
            node.put(field, Math.round(value * 1000) / 1000.0);
        }
    }

    private static String num(double value, String format) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a" : String.format(Locale.ROOT, format, value);
    }
}
