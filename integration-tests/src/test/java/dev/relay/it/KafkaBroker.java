package dev.relay.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka (broker and controller in one node) running in this JVM, from
 * Kafka's own test kit (KafkaClusterTestKit). The broker can be stopped and started
 * again: it comes back on the same port with its log, as a restarted broker process would.
 */
final class KafkaBroker implements AutoCloseable {

    static {
        // The broker logs a great deal at INFO; the relay's own lines stay at INFO.
        for (String name : List.of("kafka", "org.apache.kafka", "state.change.logger")) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.WARN);
        }
    }

    private final KafkaClusterTestKit kit;
    private final String bootstrapServers;

    private KafkaBroker(KafkaClusterTestKit kit) {
        this.kit = kit;
        this.bootstrapServers = kit.bootstrapServers();
    }

    static KafkaBroker start() throws Exception {
        KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build())
                // Topics are made by the test, as an operator would (docs/events.md).
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            kit.close();
            throw e;
        }
        KafkaBroker broker = new KafkaBroker(kit);
        System.out.println("kafka: KRaft broker at " + broker.bootstrapServers);
        return broker;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = kit.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    /** Stops the broker (the controller stays up); clients see connections refused. */
    void stopBroker() {
        for (BrokerServer broker : kit.brokers().values()) {
            broker.shutdown();
        }
    }

    /** Starts the stopped broker again on the same port and waits until it serves. */
    void startBroker() throws Exception {
        for (BrokerServer broker : kit.brokers().values()) {
            broker.startup();
        }
        kit.waitForReadyBrokers();
    }

    /**
     * Reads {@code topic} from the beginning (every partition) until {@code done} holds for what was
     * read, or {@code timeout}; then keeps reading {@code linger} longer, so duplicates arriving
     * late are seen too.
     */
    List<ConsumerRecord<String, String>> consume(String topic, Predicate<List<ConsumerRecord<String, String>>> done,
                                                 Duration timeout, Duration linger) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            long lingerUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, lingerUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                if (lingerUntil == Long.MAX_VALUE && done.test(records)) {
                    lingerUntil = System.nanoTime() + linger.toNanos();
                }
            }
            return records;
        }
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
