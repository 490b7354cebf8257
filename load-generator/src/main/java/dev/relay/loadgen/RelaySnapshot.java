package dev.relay.loadgen;

import java.util.Map;

/**
 * The relay's numbers at one instant: CPU ticks from /proc and what its {@code /metrics} says.
 * Any value the relay did not expose is NaN (or -1 ticks).
 *
 * @param nanos            System.nanoTime() when taken
 * @param cpuTicks         utime + stime of the relay process, -1 if unknown
 * @param heapUsedBytes    sum of {@code jvm_memory_used_bytes{area="heap"}}
 * @param gcPauses         sum of {@code jvm_gc_pause_seconds_count}
 * @param gcPauseSeconds   sum of {@code jvm_gc_pause_seconds_sum}
 * @param rtpPacketsSent   sum of {@code relay_rtp_packets_sent_total}
 * @param rtpPacketsReceived sum of {@code relay_rtp_packets_received_total}
 * @param drops            {@code relay_packets_dropped_total} by reason
 * @param threads          {@code jvm_threads_live_threads}
 * @param transportsByProtocol {@code relay_transports_selected} by protocol (udp, tcp): whose ICE-selected path is which
 */
record RelaySnapshot(long nanos, long cpuTicks, double heapUsedBytes, double gcPauses, double gcPauseSeconds,
                     double rtpPacketsSent, double rtpPacketsReceived, Map<String, Double> drops, double threads,
                     Map<String, Double> transportsByProtocol) {

    static RelaySnapshot of(long nanos, long cpuTicks, String metricsText) {
        PrometheusText metrics = PrometheusText.parse(metricsText);
        return new RelaySnapshot(nanos, cpuTicks,
                metrics.sum("jvm_memory_used_bytes", labels -> "heap".equals(labels.get("area"))),
                metrics.sum("jvm_gc_pause_seconds_count"),
                metrics.sum("jvm_gc_pause_seconds_sum"),
                metrics.sum("relay_rtp_packets_sent_total"),
                metrics.sum("relay_rtp_packets_received_total"),
                Map.copyOf(metrics.byLabel("relay_packets_dropped_total", "reason")),
                metrics.sum("jvm_threads_live_threads"),
                Map.copyOf(metrics.byLabel("relay_transports_selected", "protocol")));
    }
}
