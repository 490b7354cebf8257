package dev.relay.sfu;

import dev.relay.codecs.rtcp.NtpTime;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.rtp.RtxPacket;
import dev.relay.transport.DropReason;
import dev.relay.transport.Transport;
import dev.relay.transport.srtp.SrtpKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * A Room's media graph: Transports, the Producers that arrive on them and the Consumers that
 * leave through them (docs/architecture.md "Newcomer's map"). Every field is owned by the thread
 * the Router is pinned to. The public methods may be called from any (control) thread and only
 * enqueue a command for that thread (Aeron's SenderProxy -> Sender); the package-private ones are
 * the data path and timers, called on that thread.
 */
public final class Router {
    private final RouterHost host;
    private final MediaContext context;
    private final RtcpReceiver rtcp;
    private final Int2ObjectHashMap<RouterTransport> transports = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<Producer> producers = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<Consumer> consumers = new Int2ObjectHashMap<>();
    /** The same Transports as {@link #transports}, for the timers to walk without an iterator. */
    private final List<RouterTransport> transportList = new ArrayList<>();
    private final ActiveSpeakers speakers = new ActiveSpeakers();
    /** Told when a subscriber's video is paused or resumed for bandwidth; worker thread. */
    private java.util.function.BiConsumer<Integer, Boolean> streamStates = (consumer, paused) -> { };

    Router(RouterHost host) {
        this.host = host;
        this.context = host.context();
        this.rtcp = new RtcpReceiver(context);
    }

    // ---- control API: any thread, one command each ----

    /** Routes the Transport's SRTP/SRTCP into this Router. */
    public void attachTransport(Transport transport) {
        host.submit(() -> {
            RouterTransport routed = new RouterTransport(transport, this,
                    new TransportCcSender(host.senderFor(transport), context));
            transports.put(transport.id(), routed);
            transportList.add(routed);
            host.bind(routed);
        });
    }

    /** DTLS finished: install SRTP and ask for keyframes for everything the peer will receive. */
    public void transportConnected(Transport transport, SrtpKeys keys) {
        host.submit(() -> {
            RouterTransport routed = transports.get(transport.id());
            if (routed != null) {
                transport.installSrtp(keys);
                routed.connected(context.nanoTime());
                replayEarly(routed);
            }
        });
    }

    /**
     * The publisher's audio level header extension id (RFC 6464) for this Producer: its Consumers
     * pass the level on to subscribers that negotiated it.
     */
    public void setAudioLevelExtension(int producerId, int extensionId) {
        host.submit(() -> {
            Producer producer = producers.get(producerId);
            if (producer != null) {
                producer.audioLevelExtensionId(extensionId);
                if (extensionId > 0) {
                    producer.followedBy(speakers);
                    speakers.add(producer);
                }
            }
        });
    }

    /**
     * The publisher of {@code producerId} sends its Opus in RED (RFC 2198) as payload type
     * {@code payloadType}: what arrives with it is checked and handed to each Consumer as RED
     * or as the frames inside (docs/quality.md "Audio redundancy").
     */
    public void setRedPayloadType(int producerId, int payloadType) {
        host.submit(() -> {
            Producer producer = producers.get(producerId);
            if (producer != null) {
                producer.redPayloadType(payloadType);
            }
        });
    }

    /**
     * The publisher says this Producer is a screen share (docs/signaling.md {@code publish}
     * {@code tracks}): subscribers' allocation gives it {@code PRIORITY_SCREEN}, ahead of cameras.
     */
    public void setScreenShare(int producerId, boolean screen) {
        host.submit(() -> {
            Producer producer = producers.get(producerId);
            if (producer != null) {
                producer.screenShare(screen);
            }
        });
    }

    /**
     * The publisher on {@code transport} negotiated transport-wide congestion control with header
     * extension id {@code extensionId}: the relay records arrivals and sends feedback.
     */
    public void enableTransportCc(Transport transport, int extensionId) {
        host.submit(() -> {
            RouterTransport routed = transports.get(transport.id());
            if (routed != null) {
                routed.enableTransportCc(extensionId);
            }
        });
    }

    /**
     * The subscriber on {@code transport} negotiated transport-wide congestion control on what it
     * receives, with extension id {@code extensionId}: every packet the relay sends it is stamped
     * and its feedback drives the downlink estimate (docs/quality.md "Downlink estimate").
     */
    public void enableSubscriberTransportCc(Transport transport, int extensionId) {
        host.submit(() -> {
            RouterTransport routed = transports.get(transport.id());
            if (routed != null) {
                routed.enableEgressTransportCc(extensionId);
            }
        });
    }

    public void detachTransport(Transport transport) {
        host.submit(() -> {
            RouterTransport routed = transports.remove(transport.id());
            if (routed != null) {
                transportList.remove(routed);
                host.unbind(routed);
            }
        });
    }

    public void createProducer(int producerId, Transport transport, Codec codec, int ssrc, int payloadType) {
        createProducer(producerId, transport, codec, ssrc, payloadType, false);
    }

    /** @param retransmissions keep the last packets to answer subscribers' NACKs with (docs/quality.md) */
    public void createProducer(int producerId, Transport transport, Codec codec, int ssrc, int payloadType,
                               boolean retransmissions) {
        createProducer(producerId, transport, codec, ssrc, payloadType, retransmissions, 0);
    }

    /**
     * @param rtxSsrc the publisher's RTX stream for this one (RFC 4588, {@code a=ssrc-group:FID}), 0 if none;
     *                with {@code retransmissions} the relay also NACKs the publisher for what it lost
     */
    public void createProducer(int producerId, Transport transport, Codec codec, int ssrc, int payloadType,
                               boolean retransmissions, int rtxSsrc) {
        host.submit(() -> {
            RouterTransport routed = transports.get(transport.id());
            if (routed != null) {
                Producer producer = new Producer(producerId, codec, ssrc, routed, context, retransmissions);
                producer.payloadType(payloadType);
                producer.stream(0).rtxSsrc(rtxSsrc);
                producer.stream(0).repairable(retransmissions && rtxSsrc != 0);
                producers.put(producerId, producer);
                routed.addProducer(producer);
            }
        });
    }

    /**
     * A simulcast Producer (RFC 8853): one stream per rid, lowest first; each layer's SSRC is bound
     * from its first packet's mid and rid header extensions, whose ids the publisher's SDP gave.
     */
    public void createSimulcastProducer(int producerId, Transport transport, Codec codec, String mid,
                                        List<String> rids, int midExtensionId, int ridExtensionId) {
        createSimulcastProducer(producerId, transport, codec, mid, rids, midExtensionId, ridExtensionId, false);
    }

    /** @param retransmissions keep each layer's last packets to answer subscribers' NACKs with */
    public void createSimulcastProducer(int producerId, Transport transport, Codec codec, String mid,
                                        List<String> rids, int midExtensionId, int ridExtensionId,
                                        boolean retransmissions) {
        createSimulcastProducer(producerId, transport, codec, mid, rids, midExtensionId, ridExtensionId,
                retransmissions, -1, -1);
    }

    /**
     * @param payloadType               the publisher's payload type, an RTX packet is turned back into
     * @param repairedRidExtensionId    the publisher's repaired-rid extension id when it negotiated NACK
     *                                  and RTX (each layer's RTX is bound by it, RFC 8852 §3.2), else -1:
     *                                  then the relay does not NACK this publisher
     */
    public void createSimulcastProducer(int producerId, Transport transport, Codec codec, String mid,
                                        List<String> rids, int midExtensionId, int ridExtensionId,
                                        boolean retransmissions, int payloadType, int repairedRidExtensionId) {
        List<String> layers = List.copyOf(rids);
        host.submit(() -> {
            RouterTransport routed = transports.get(transport.id());
            if (routed != null) {
                Producer producer = new Producer(producerId, codec, mid, layers, midExtensionId, ridExtensionId,
                        routed, context, retransmissions);
                producer.payloadType(payloadType);
                producer.repairedRidExtensionId(repairedRidExtensionId);
                for (int i = 0; i < producer.streamCount(); i++) {
                    producer.stream(i).repairable(retransmissions && repairedRidExtensionId >= 0);
                }
                producers.put(producerId, producer);
                routed.addProducer(producer);
            }
        });
    }

    /**
     * Who is speaking (docs/signaling.md {@code activeSpeakers}): {@code listener} gets the ids of
     * the audio Producers speaking, the dominant speaker first, each time that changes. It runs
     * on this Router's thread and must only hand the ids on (e.g. to the control executor).
     */
    public void onActiveSpeakers(java.util.function.Consumer<int[]> listener) {
        host.submit(() -> speakers.listener(listener));
    }

    /**
     * {@code listener} gets a Consumer's id and true when its subscriber's downlink allocation
     * pauses it (even its lowest layer does not fit), false when it resumes (docs/signaling.md
     * {@code streamState}). It runs on this Router's thread and must only hand the change on.
     */
    public void onStreamState(java.util.function.BiConsumer<Integer, Boolean> listener) {
        host.submit(() -> streamStates = listener);
    }

    void streamStateChanged(Consumer consumer, boolean paused) {
        streamStates.accept(consumer.id(), paused);
    }

    ActiveSpeakers speakers() {
        return speakers;
    }

    public void closeProducer(int producerId) {
        host.submit(() -> {
            Producer producer = producers.remove(producerId);
            if (producer == null) {
                return;
            }
            speakers.remove(producer);
            producer.source().removeProducer(producer);
            for (Consumer consumer : producer.removeAllConsumers()) {
                consumers.remove(consumer.id());
                consumer.sink().removeConsumer(consumer);
            }
        });
    }

    public void createConsumer(int consumerId, int producerId, Transport transport, int ssrc, int payloadType) {
        createConsumer(consumerId, producerId, transport, ssrc, payloadType, 0, -1);
    }

    /**
     * @param rtxSsrc        the subscriber's retransmission SSRC (RFC 4588), 0 for none
     * @param rtxPayloadType its payload type, -1 for none: then NACKed packets are resent as they were
     */
    public void createConsumer(int consumerId, int producerId, Transport transport, int ssrc, int payloadType,
                               int rtxSsrc, int rtxPayloadType) {
        createConsumer(consumerId, producerId, transport, ssrc, payloadType, rtxSsrc, rtxPayloadType, -1);
    }

    /** @param audioLevelExtensionId the subscriber's id for the audio level extension (RFC 6464), -1 for none */
    public void createConsumer(int consumerId, int producerId, Transport transport, int ssrc, int payloadType,
                               int rtxSsrc, int rtxPayloadType, int audioLevelExtensionId) {
        int initialSeq = ThreadLocalRandom.current().nextInt(1 << 16);
        host.submit(() -> {
            Producer producer = producers.get(producerId);
            RouterTransport sink = transports.get(transport.id());
            if (producer == null || sink == null) {
                return;
            }
            // Layer selection needs the VP8 descriptor; other simulcast codecs get their lowest layer.
            Consumer consumer = producer.isSimulcast() && producer.codec() == Codec.VP8
                    ? new SimulcastConsumer(consumerId, producer, sink, context, ssrc, payloadType, initialSeq,
                            rtxSsrc, rtxPayloadType)
                    : new SimpleConsumer(consumerId, producer, sink, context, ssrc, payloadType, initialSeq, rtxSsrc,
                            rtxPayloadType);
            consumer.setAudioLevelExtension(audioLevelExtensionId);
            consumers.put(consumerId, consumer);
            sink.addConsumer(consumer);
            producer.addConsumer(consumer);
            consumer.onKeyframeRequest(context.nanoTime());
        });
    }

    /**
     * A track that arrives over a relay-to-relay pipe on {@code transport} (docs/scale-out.md
     * "Rooms across nodes"): one stream per entry of {@code ssrcs}, lowest layer first, under the
     * SSRCs the sending node announced. Video keeps a cache for the subscribers here and NACKs
     * the other node for what the pipe lost.
     *
     * @param redPayloadType        the publisher's RED payload type (RFC 2198), -1 if none
     * @param audioLevelExtensionId the publisher's audio level extension id (RFC 6464), -1 if none
     */
    public void createPipedProducer(int producerId, Transport transport, Codec codec, int[] ssrcs, int payloadType,
                                    int redPayloadType, int audioLevelExtensionId) {
        int[] layers = ssrcs.clone();
        host.submit(() -> {
            RouterTransport routed = transports.get(transport.id());
            if (routed == null) {
                return;
            }
            boolean video = codec.kind() == MediaKind.VIDEO;
            Producer producer = new Producer(producerId, codec, layers, routed, context, video);
            producer.payloadType(payloadType);
            producer.redPayloadType(redPayloadType);
            for (int i = 0; i < producer.streamCount(); i++) {
                producer.stream(i).repairable(video);
            }
            producers.put(producerId, producer);
            routed.addProducer(producer);
            if (audioLevelExtensionId > 0) {
                producer.audioLevelExtensionId(audioLevelExtensionId);
                producer.followedBy(speakers);
                speakers.add(producer);
            }
        });
    }

    /**
     * Forwards Producer {@code producerId} over the pipe on {@code transport}, every stream as it
     * arrives, stream {@code i} under {@code ssrcs[i]} (see {@link PipeConsumer}).
     */
    public void createPipeConsumer(int consumerId, int producerId, Transport transport, int[] ssrcs) {
        int[] layers = ssrcs.clone();
        host.submit(() -> {
            Producer producer = producers.get(producerId);
            RouterTransport sink = transports.get(transport.id());
            if (producer == null || sink == null || producer.streamCount() != layers.length) {
                return;
            }
            Consumer consumer = new PipeConsumer(consumerId, producer, sink, context, layers);
            consumers.put(consumerId, consumer);
            sink.addConsumer(consumer);
            producer.addConsumer(consumer);
            consumer.onKeyframeRequest(context.nanoTime());
        });
    }

    /** The subscriber wants simulcast layer {@code spatial} (0 lowest) of this Consumer's Producer. */
    public void setConsumerLayer(int consumerId, int spatial) {
        host.submit(() -> {
            Consumer consumer = consumers.get(consumerId);
            if (consumer != null) {
                consumer.setTargetLayer(spatial, context.nanoTime());
            }
        });
    }

    /** The subscriber's id for the audio level extension (RFC 6464) on this Consumer; -1 stops it. */
    public void setConsumerAudioLevelExtension(int consumerId, int extensionId) {
        host.submit(() -> {
            Consumer consumer = consumers.get(consumerId);
            if (consumer != null) {
                consumer.setAudioLevelExtension(extensionId);
            }
        });
    }

    /** The subscriber of this Consumer accepted RED (RFC 2198) as {@code payloadType}; -1 takes plain Opus. */
    public void setConsumerRedPayloadType(int consumerId, int payloadType) {
        host.submit(() -> {
            Consumer consumer = consumers.get(consumerId);
            if (consumer != null) {
                consumer.setRedPayloadType(payloadType);
            }
        });
    }

    public void closeConsumer(int consumerId) {
        host.submit(() -> {
            Consumer consumer = consumers.remove(consumerId);
            if (consumer != null) {
                consumer.producer().removeConsumer(consumer);
                consumer.sink().removeConsumer(consumer);
            }
        });
    }

    /**
     * Copies this Router's counters on its thread and passes the copy to {@code callback} there;
     * the callback must only hand it on (e.g. to the control executor).
     */
    public void requestStats(java.util.function.Consumer<RouterStats> callback) {
        host.submit(() -> {
            List<RouterStats.ProducerSample> producerSamples = new ArrayList<>();
            for (Producer producer : producers.values()) {
                producerSamples.add(producer.sample());
            }
            List<RouterStats.ConsumerSample> consumerSamples = new ArrayList<>();
            for (Consumer consumer : consumers.values()) {
                consumerSamples.add(consumer.sample());
            }
            callback.accept(new RouterStats(List.copyOf(producerSamples), List.copyOf(consumerSamples)));
        });
    }

    // ---- data path and timers: the owning thread ----

    /**
     * A datagram from the inbound ring, still protected: unprotected with the Transport's keys and
     * routed, or held (bounded) if the keys have not arrived yet ({@link EarlyMedia}).
     */
    void onSrtp(RouterTransport from, boolean rtcp, byte[] buf, int off, int len, long receiveNanos) {
        Transport transport = from.transport();
        if (!transport.isSecure()) {
            if (transport.isClosed() || !from.holdEarly(rtcp, buf, off, len, receiveNanos)) {
                context.drop(DropReason.NO_SRTP_CONTEXT);
            }
            return;
        }
        int plain = rtcp ? transport.unprotectRtcp(buf, off, len) : transport.unprotectRtp(buf, off, len);
        if (plain < 0) {
            return;
        }
        transport.authenticatedAt(receiveNanos);
        if (rtcp) {
            onRtcp(from, buf, off, plain, receiveNanos);
        } else {
            onRtp(from, buf, off, plain, receiveNanos);
        }
    }

    private void replayEarly(RouterTransport routed) {
        EarlyMedia early = routed.takeEarly();
        if (early == null) {
            return;
        }
        for (EarlyMedia.Held held : early.packets()) {
            byte[] datagram = held.datagram();
            onSrtp(routed, held.rtcp(), datagram, 0, datagram.length, held.receiveNanos());
        }
    }

    /** A decrypted RTP packet from {@code from}: to the Producer of its SSRC, and on to its Consumers. */
    void onRtp(RouterTransport from, byte[] buf, int off, int len, long receiveNanos) {
        RtpPacket rtp = context.rtp;
        if (!rtp.wrap(buf, off, len)) {
            context.drop(DropReason.RTP_MALFORMED);
            return;
        }
        // Every packet counts for congestion control, also padding and probes on SSRCs not routed.
        from.recordTransportCc(rtp, receiveNanos);
        ProducerStream stream = from.stream(rtp.ssrc());
        if (stream == null) {
            ProducerStream repaired = from.rtxStream(rtp.ssrc());
            if (repaired != null) {
                onRetransmission(repaired, rtp, receiveNanos);
                return;
            }
            stream = from.bindStream(rtp, receiveNanos);
            if (stream == null) {
                repaired = from.bindRepairStream(rtp, receiveNanos);
                if (repaired != null) {
                    onRetransmission(repaired, rtp, receiveNanos);
                } else {
                    context.drop(DropReason.RTP_UNKNOWN_SSRC);
                }
                return;
            }
        }
        context.countIn(rtp.length());
        stream.producer().receive(stream, rtp, receiveNanos);
    }

    /**
     * A packet of a publisher's RTX stream (RFC 4588 §4): a padding-only probe ends here (it has
     * served congestion control already); a retransmission is turned back into the original, in
     * place, and taken as if it had arrived in time.
     */
    private void onRetransmission(ProducerStream stream, RtpPacket rtp, long receiveNanos) {
        stream.onRtxPacket(receiveNanos);
        if (RtxPacket.originalSequenceNumber(rtp) < 0 || !stream.isBound()) {
            return;
        }
        int length = RtxPacket.unwrap(rtp, rtp.buffer(), rtp.offset(), rtp.length(), stream.ssrc(),
                stream.producer().payloadType());
        if (length < 0 || !rtp.wrap(rtp.buffer(), rtp.offset(), length)) {
            context.drop(DropReason.RTP_MALFORMED);
            return;
        }
        context.count(MediaEvent.RETRANSMISSION_RECEIVED);
        context.countIn(rtp.length());
        stream.producer().receive(stream, rtp, receiveNanos);
    }

    /** NACKs due to publishers for what the relay lost; returns RTCP packets sent. */
    int sendNacks(long nowNanos) {
        int sent = 0;
        for (Producer producer : producers.values()) {
            sent += producer.sendNacks(nowNanos);
        }
        return sent;
    }

    /** A decrypted (compound) RTCP packet from {@code from}. */
    void onRtcp(RouterTransport from, byte[] buf, int off, int len, long receiveNanos) {
        rtcp.receive(from, buf, off, len, receiveNanos);
    }

    /** The periodic reports: an RR to every publisher Transport, an SR for every Consumer. */
    int sendReports(long nowNanos) {
        int sent = 0;
        for (int i = 0; i < transportList.size(); i++) {
            sent += transportList.get(i).sendReceiverReport(nowNanos, context.rtcpOut);
        }
        long ntp = NtpTime.fromEpochMillis(context.epochMillis());
        for (int i = 0; i < transportList.size(); i++) {
            sent += transportList.get(i).sendSenderReports(nowNanos, ntp);
        }
        return sent;
    }

    /** Transport-cc feedback to every publisher Transport that negotiated it; returns packets sent. */
    int sendTransportCcFeedback() {
        int sent = 0;
        for (int i = 0; i < transportList.size(); i++) {
            sent += transportList.get(i).sendTransportCcFeedback(context.rtcpOut);
        }
        return sent;
    }

    /** Downlink allocation and probes of every subscriber Transport here, when due; returns packets sent. */
    int pollDownlinks(long nowNanos) {
        int sent = 0;
        for (int i = 0; i < transportList.size(); i++) {
            sent += transportList.get(i).pollDownlink(nowNanos);
        }
        return sent;
    }

    /** Decides who is speaking now; the listener hears of a change. */
    void evaluateSpeakers(long nowNanos) {
        speakers.evaluate(nowNanos);
    }

    /** Sends the keyframe requests that were held back by the throttle and are now due. */
    int sendHeldKeyframeRequests(long nowNanos) {
        int sent = 0;
        for (Producer producer : producers.values()) {
            sent += producer.sendHeldKeyframeRequest(nowNanos);
        }
        return sent;
    }

    MediaContext context() {
        return context;
    }

    /** The Producer of that id, or null. Owning thread. */
    Producer producer(int producerId) {
        return producers.get(producerId);
    }

    /** The Transport a packet from {@code transportId} belongs to here, or null. Owning thread. */
    RouterTransport transport(int transportId) {
        return transports.get(transportId);
    }

    boolean hasTransports() {
        return !transportList.isEmpty();
    }
}
