package dev.relay.loadgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * The side-by-side summary of one scenario run against each server in turn: per server the
 * egress packets (counted by the subscribers) per CPU-second of the server, loss, latency and
 * RSS, then relay/janus ratios. Pure: numbers in, text and JSON out.
 */
final class Comparison {
    /** One server's line. NaN (or -1 for RSS) where unknown. */
    record Row(String server, int streamsFlowing, int streamsExpected, double cpuSeconds, double windowSeconds,
               double egressPerCpuSecond, double lossPercent, double p50Ms, double p99Ms, double rssMaxMiB) {

        static Row of(RunReport r) {
            return new Row(r.target.label(), r.streamsFlowing, r.streamsExpected, r.relayCpuSeconds, r.windowSeconds,
                    r.egressPerRelayCpuSecond(), r.lossPercent(),
                    r.allLatency.count() == 0 ? Double.NaN : r.allLatency.percentileMicros(0.50) / 1000.0,
                    r.allLatency.count() == 0 ? Double.NaN : r.allLatency.percentileMicros(0.99) / 1000.0,
                    r.serverRssMaxBytes < 0 ? Double.NaN : r.serverRssMaxBytes / (1024.0 * 1024.0));
        }
    }

    private final List<Row> rows;

    Comparison(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    /** a / b, NaN when either is unknown or b is 0. */
    static double ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? Double.NaN : a / b;
    }

    private Row find(String server) {
        for (Row r : rows) {
            if (r.server().equals(server)) {
                return r;
            }
        }
        return null;
    }

    String toText() {
        StringBuilder out = new StringBuilder();
        out.append("side by side (each server alone on the machine, in turn; same peers, same path over a veth pair)\n");
        out.append(String.format(Locale.ROOT, "%-7s %9s %8s %16s %8s %9s %9s %9s%n", "server", "streams", "CPU s",
                "egress/CPU-s", "loss %", "p50 ms", "p99 ms", "RSS MiB"));
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, "%-7s %9s %8s %16s %8s %9s %9s %9s%n", r.server(),
                    r.streamsFlowing() + "/" + r.streamsExpected(), num(r.cpuSeconds(), "%.2f"),
                    num(r.egressPerCpuSecond(), "%,.0f"), num(r.lossPercent(), "%.3f"), num(r.p50Ms(), "%.2f"),
                    num(r.p99Ms(), "%.2f"), num(r.rssMaxMiB(), "%.1f")));
        }
        Row relay = find("relay");
        Row janus = find("janus");
        if (relay != null && janus != null) {
            out.append(String.format(Locale.ROOT, "relay/janus: egress per CPU-second x%s, p50 x%s, p99 x%s, RSS x%s%n",
                    num(ratio(relay.egressPerCpuSecond(), janus.egressPerCpuSecond()), "%.2f"),
                    num(ratio(relay.p50Ms(), janus.p50Ms()), "%.2f"), num(ratio(relay.p99Ms(), janus.p99Ms()), "%.2f"),
                    num(ratio(relay.rssMaxMiB(), janus.rssMaxMiB()), "%.2f")));
        }
        return out.toString();
    }

    ObjectNode toJson() {
        ObjectNode root = new ObjectMapper().createObjectNode();
        for (Row r : rows) {
            ObjectNode n = root.putObject(r.server());
            n.put("streamsFlowing", r.streamsFlowing());
            n.put("streamsExpected", r.streamsExpected());
            put(n, "cpuSeconds", r.cpuSeconds());
            put(n, "egressPerCpuSecond", r.egressPerCpuSecond());
            put(n, "lossPercent", r.lossPercent());
            put(n, "p50Ms", r.p50Ms());
            put(n, "p99Ms", r.p99Ms());
            put(n, "rssMaxMiB", r.rssMaxMiB());
        }
        Row relay = find("relay");
        Row janus = find("janus");
        if (relay != null && janus != null) {
            ObjectNode ratios = root.putObject("relayOverJanus");
            put(ratios, "egressPerCpuSecond", ratio(relay.egressPerCpuSecond(), janus.egressPerCpuSecond()));
            put(ratios, "p50", ratio(relay.p50Ms(), janus.p50Ms()));
            put(ratios, "p99", ratio(relay.p99Ms(), janus.p99Ms()));
            put(ratios, "rss", ratio(relay.rssMaxMiB(), janus.rssMaxMiB()));
        }
        return root;
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
