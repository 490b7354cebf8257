package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lines as the relay's Micrometer Prometheus registry writes them. */
class PrometheusTextTest {
    private static final String SCRAPE = String.join("\n",
            "# HELP jvm_memory_used_bytes The amount of used memory",
            "# TYPE jvm_memory_used_bytes gauge",
            "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 4194304.0",
            "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 1.6991744E7",
            "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 2.3177552E7",
            "jvm_gc_pause_seconds_count{action=\"end of minor GC\",cause=\"G1 Evacuation Pause\",gc=\"G1 Young Generation\"} 3",
            "jvm_gc_pause_seconds_sum{action=\"end of minor GC\",cause=\"G1 Evacuation Pause\",gc=\"G1 Young Generation\"} 0.012",
            "jvm_gc_pause_seconds_count{action=\"end of major GC\",cause=\"System.gc()\",gc=\"G1 Old Generation\"} 1",
            "relay_packets_dropped_total{reason=\"ring_full\"} 0.0",
            "relay_packets_dropped_total{reason=\"unvalidated_address\"} 7.0",
            "relay_rtp_packets_sent_total{worker=\"media-worker-0\"} 100.0",
            "relay_rtp_packets_sent_total{worker=\"media-worker-1\"} 23.0",
            "relay_rooms 1.0",
            "odd_label{path=\"a \\\"quoted\\\" }value\"} NaN",
            "");

    @Test
    void shouldSumOverLabels() {
        PrometheusText text = PrometheusText.parse(SCRAPE);
        assertEquals(4194304.0 + 1.6991744E7, text.sum("jvm_memory_used_bytes", l -> "heap".equals(l.get("area"))));
        assertEquals(4, text.sum("jvm_gc_pause_seconds_count"));
        assertEquals(123, text.sum("relay_rtp_packets_sent_total"));
        assertEquals(1, text.sum("relay_rooms"));
        assertTrue(Double.isNaN(text.sum("absent_metric")));
    }

    @Test
    void shouldKeyDropsByReason() {
        Map<String, Double> drops = PrometheusText.parse(SCRAPE).byLabel("relay_packets_dropped_total", "reason");
        assertEquals(Map.of("ring_full", 0.0, "unvalidated_address", 7.0), drops);
    }

    @Test
    void shouldReadEscapedLabelValues() {
        PrometheusText.Sample odd = PrometheusText.parse(SCRAPE).samples().stream()
                .filter(s -> s.name().equals("odd_label")).findFirst().orElseThrow();
        assertEquals("a \"quoted\" }value", odd.labels().get("path"));
        assertTrue(Double.isNaN(odd.value()));
    }
}
