package dev.relay.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RelayMetricsTest {
    @Test
    void shouldExposeFunctionCounterValueReadAtScrapeTime() {
        try (RelayMetrics metrics = new RelayMetrics()) {
            AtomicLong packets = new AtomicLong();
            metrics.counter("relay.packets.out", "packets sent", Tags.of("worker", "0"), packets, AtomicLong::get);
            packets.set(42);
            String text = metrics.scrape();
            assertTrue(text.contains("relay_packets_out_total{worker=\"0\"} 42.0"), text);
            assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics are bound");
        }
    }

    @Test
    void shouldExposeHistogramBucketsBeforeAndAfterObservations() {
        try (RelayMetrics metrics = new RelayMetrics()) {
            DistributionSummary jitter = metrics.histogram("relay.quality.jitter", "jitter", "milliseconds",
                    Tags.of("direction", "publish"), 5, 10, 30);
            Timer handshake = metrics.timer("relay.dtls.handshake", "handshake", Tags.empty(),
                    Duration.ofMillis(10), Duration.ofMillis(100));
            String before = metrics.scrape();
            assertTrue(before.contains("relay_quality_jitter_milliseconds_bucket{direction=\"publish\",le=\"10.0\"} 0"),
                    "buckets are exported before the first observation: " + before);
            jitter.record(7);
            handshake.record(Duration.ofMillis(50));
            String after = metrics.scrape();
            assertTrue(after.contains("relay_quality_jitter_milliseconds_bucket{direction=\"publish\",le=\"10.0\"} 1"), after);
            assertTrue(after.contains("relay_dtls_handshake_seconds_bucket{le=\"0.1\"} 1"), after);
        }
    }
}
