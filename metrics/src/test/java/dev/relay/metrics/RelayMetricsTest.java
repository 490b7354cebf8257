package dev.relay.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Tags;
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
}
