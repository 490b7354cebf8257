package dev.relay.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

/**
 * The relay's Prometheus registry. Owners keep plain counters on their own threads; this only
 * registers functions that read them at scrape time (docs/architecture.md "Conventions": no Micrometer call
 * per packet, no tag made per packet).
 */
public final class RelayMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    public RelayMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** A monotonically increasing count read from {@code source} at scrape time. */
    public <T> void counter(String name, String description, Tags tags, T source, ToDoubleFunction<T> read) {
        FunctionCounter.builder(name, source, read).description(description).tags(tags).register(registry);
    }

    /** A current value read from {@code source} at scrape time. */
    public <T> void gauge(String name, String description, Tags tags, T source, ToDoubleFunction<T> read) {
        Gauge.builder(name, source, read).description(description).tags(tags).register(registry);
    }

    /**
     * A histogram with fixed buckets ({@code _bucket{le}}, {@code _sum}, {@code _count}), for
     * values recorded off the packet path (a few per second): quantiles come from
     * {@code histogram_quantile} in PromQL, so replicas aggregate.
     */
    public DistributionSummary histogram(String name, String description, String unit, Tags tags,
                                         double... buckets) {
        return DistributionSummary.builder(name).description(description).baseUnit(unit).tags(tags)
                .serviceLevelObjectives(buckets).register(registry);
    }

    /** As {@link #histogram}, for durations: exported in seconds ({@code name_seconds_bucket}). */
    public Timer timer(String name, String description, Tags tags, Duration... buckets) {
        return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(buckets)
                .register(registry);
    }

    /** The Prometheus text exposition of every registered meter. */
    public String scrape() {
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
