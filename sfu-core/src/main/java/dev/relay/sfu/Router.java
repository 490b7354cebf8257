package dev.relay.sfu;

import dev.relay.transport.Transport;
import dev.relay.transport.srtp.SrtpKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * A Room's media graph: Producer -> Consumers. Every field is owned by the {@link MediaWorker}
 * the Router is pinned to; the public methods may be called from any (control) thread and only
 * enqueue a command for that worker (Aeron's SenderProxy -> Sender).
 */
public final class Router {
    private final MediaWorker worker;
    private final Int2ObjectHashMap<RouterTransport> transports = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<Producer> producers = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<SimpleConsumer> consumers = new Int2ObjectHashMap<>();
    private final List<RouterTransport> transportList = new ArrayList<>();

    Router(MediaWorker worker) {
        this.worker = worker;
    }

    public MediaWorker worker() {
        return worker;
    }

    /** Routes the Transport's SRTP into this Router's worker. */
    public void attachTransport(Transport transport) {
        transport.inbox(worker);
        worker.submit(() -> {
            RouterTransport routed = new RouterTransport(transport, this);
            transports.put(transport.id(), routed);
            transportList.add(routed);
            worker.bind(transport.id(), routed);
        });
    }

    /** DTLS finished: install SRTP and ask for keyframes for everything the peer will receive. */
    public void transportConnected(Transport transport, SrtpKeys keys) {
        worker.submit(() -> {
            RouterTransport routed = transports.get(transport.id());
            if (routed == null) {
                return;
            }
            transport.installSrtp(keys);
            for (SimpleConsumer consumer : routed.consumersBySsrc.values()) {
                consumer.restart();
                consumer.producer.requestKeyframe();
            }
        });
    }

    public void detachTransport(Transport transport) {
        worker.submit(() -> {
            RouterTransport routed = transports.remove(transport.id());
            if (routed != null) {
                transportList.remove(routed);
                worker.unbind(transport.id());
            }
        });
    }

    public void createProducer(int producerId, Transport transport, Codec codec, int ssrc, int payloadType) {
        worker.submit(() -> {
            RouterTransport routed = transports.get(transport.id());
            if (routed == null) {
                return;
            }
            Producer producer = new Producer(producerId, codec, ssrc, payloadType, routed);
            producers.put(producerId, producer);
            routed.producersBySsrc.put(ssrc, producer);
        });
    }

    public void closeProducer(int producerId) {
        worker.submit(() -> {
            Producer producer = producers.remove(producerId);
            if (producer == null) {
                return;
            }
            producer.source.producersBySsrc.remove(producer.ssrc);
            for (SimpleConsumer consumer : producer.consumers) {
                consumers.remove(consumer.id);
                consumer.sink.consumersBySsrc.remove(consumer.ssrc);
            }
            producer.consumers = new SimpleConsumer[0];
        });
    }

    public void createConsumer(int consumerId, int producerId, Transport transport, int ssrc, int payloadType) {
        int initialSeq = ThreadLocalRandom.current().nextInt(1 << 16);
        worker.submit(() -> {
            Producer producer = producers.get(producerId);
            RouterTransport sink = transports.get(transport.id());
            if (producer == null || sink == null) {
                return;
            }
            SimpleConsumer consumer = new SimpleConsumer(consumerId, producer, sink, ssrc, payloadType, initialSeq);
            consumers.put(consumerId, consumer);
            sink.consumersBySsrc.put(ssrc, consumer);
            producer.addConsumer(consumer);
            producer.requestKeyframe();
        });
    }

    public void closeConsumer(int consumerId) {
        worker.submit(() -> {
            SimpleConsumer consumer = consumers.remove(consumerId);
            if (consumer != null) {
                consumer.producer.removeConsumer(consumer);
                consumer.sink.consumersBySsrc.remove(consumer.ssrc);
            }
        });
    }

    /**
     * Copies this Router's counters on its worker and passes the copy to {@code callback} there;
     * the callback must only hand it on (e.g. to the control executor).
     */
    public void requestStats(java.util.function.Consumer<RouterStats> callback) {
        worker.submit(() -> {
            List<RouterStats.ProducerSample> producerSamples = new ArrayList<>();
            for (Producer p : producers.values()) {
                producerSamples.add(new RouterStats.ProducerSample(p.id, p.packetsReceived, p.bytesReceived,
                        p.stats.cumulativeLost(), p.stats.hasPackets() ? p.stats.expected() : 0,
                        p.stats.jitter() * 1000.0 / p.codec.clockRate()));
            }
            List<RouterStats.ConsumerSample> consumerSamples = new ArrayList<>();
            for (SimpleConsumer c : consumers.values()) {
                consumerSamples.add(new RouterStats.ConsumerSample(c.id, c.producer.id, c.packetsSent, c.bytesSent,
                        c.reportedFractionLost, c.reportedCumulativeLost,
                        c.reportedJitter * 1000.0 / c.producer.codec.clockRate(), c.rttMs));
            }
            callback.accept(new RouterStats(List.copyOf(producerSamples), List.copyOf(consumerSamples)));
        });
    }

    /** Worker thread: every producer and consumer of this Router, for periodic RTCP. */
    List<RouterTransport> transports() {
        return transportList;
    }

    Int2ObjectHashMap<Producer> producers() {
        return producers;
    }
}
