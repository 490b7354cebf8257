package dev.relay.sfu;

import dev.relay.codecs.rtp.RedPayload;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.transport.DropReason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One incoming track on a publisher's Transport, and the fan-out to its Consumers. The track is
 * one RTP stream, or one per simulcast layer (RFC 8853), lowest first as the publisher's offer
 * lists them; each stream owns its receive statistics and keyframe requests
 * ({@link ProducerStream}). Owned by the Router's worker thread.
 */
public final class Producer {
    /** mediasoup and Jitsi send at most one keyframe request per ~second per stream. */
    static final long KEYFRAME_REQUEST_INTERVAL_NANOS = 500_000_000L;
    private static final Consumer[] NONE = new Consumer[0];

    private final int id;
    private final Codec codec;
    private final RouterTransport source;
    private final ProducerStream[] streams;
    /** The publisher's payload type, which an RTX packet is turned back into (RFC 4588 §4). */
    private int payloadType = -1;
    /**
     * The publisher's payload type for redundant audio (RFC 2198, Opus in RED), -1 if it sends
     * none; its blocks must all be {@link #payloadType} (docs/quality.md "Audio redundancy").
     */
    private int redPayloadType = -1;
    private final MediaContext context;
    /** The m-section's mid as ASCII, to bind simulcast layers by the mid extension; null otherwise. */
    private final byte[] mid;
    /** The publisher's ids of the mid and rid header extensions (RFC 8285), -1 if none. */
    private final int midExtensionId;
    private final int ridExtensionId;
    /** Several streams, one per simulcast layer (bound by rid, or piped with known SSRCs). */
    private final boolean simulcast;
    /** The publisher's id of the audio level extension (RFC 6464), -1 if not negotiated. */
    private int audioLevelExtensionId = -1;
    private boolean screenShare;
    /** The publisher's id of the repaired-rid extension (RFC 8852 §3.2), naming a layer's RTX; -1 if none. */
    private int repairedRidExtensionId = -1;
    /** This Producer's place in its room's {@link ActiveSpeakers}, -1 if it is not followed there. */
    private int speakerSlot = -1;
    private ActiveSpeakers speakers;
    /** Copy-on-write: changed by commands (rare), iterated per packet without an iterator. */
    private Consumer[] consumers = NONE;

    /**
     * A single-stream Producer whose SSRC the SDP named.
     *
     * @param retransmissions keep the last packets to answer subscribers' NACKs (video with NACK negotiated)
     */
    Producer(int id, Codec codec, int ssrc, RouterTransport source, MediaContext context, boolean retransmissions) {
        this.id = id;
        this.codec = codec;
        this.source = source;
        this.context = context;
        this.streams = new ProducerStream[] {new ProducerStream(this, 0, null, ssrc, true, context, retransmissions)};
        this.mid = null;
        this.midExtensionId = -1;
        this.ridExtensionId = -1;
        this.simulcast = false;
    }

    /**
     * A track that arrives over a relay-to-relay pipe (docs/scale-out.md "Rooms across nodes"):
     * one stream per layer, lowest first, each under the SSRC the sending node gave it, so
     * nothing is bound from header extensions.
     */
    Producer(int id, Codec codec, int[] ssrcs, RouterTransport source, MediaContext context,
             boolean retransmissions) {
        this.id = id;
        this.codec = codec;
        this.source = source;
        this.context = context;
        this.streams = new ProducerStream[ssrcs.length];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = new ProducerStream(this, i, null, ssrcs[i], true, context, retransmissions);
        }
        this.mid = null;
        this.midExtensionId = -1;
        this.ridExtensionId = -1;
        this.simulcast = ssrcs.length > 1;
    }

    /** A simulcast Producer: one stream per rid, each bound when its first packet names its rid. */
    Producer(int id, Codec codec, String mid, List<String> rids, int midExtensionId, int ridExtensionId,
             RouterTransport source, MediaContext context, boolean retransmissions) {
        this.id = id;
        this.codec = codec;
        this.source = source;
        this.context = context;
        this.streams = new ProducerStream[rids.size()];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = new ProducerStream(this, i, rids.get(i), 0, false, context, retransmissions);
        }
        this.mid = mid.getBytes(StandardCharsets.US_ASCII);
        this.midExtensionId = midExtensionId;
        this.ridExtensionId = ridExtensionId;
        this.simulcast = true;
    }

    /** One packet of {@code stream} from the publisher, arrived at {@code receiveNanos}. */
    void receive(ProducerStream stream, RtpPacket rtp, long receiveNanos) {
        if (isRed(rtp) && !isWellFormedRed(rtp)) {
            context.drop(DropReason.RTP_MALFORMED);
            return;
        }
        stream.onPacket(rtp, receiveNanos);
        if (speakerSlot >= 0) {
            speakers.onPacket(speakerSlot, rtp, audioLevelExtensionId, receiveNanos);
        }
        int index = stream.index();
        Consumer[] list = consumers;
        for (int i = 0; i < list.length; i++) {
            list[i].send(rtp, index, receiveNanos);
        }
    }

    /** Tells the Consumers the publisher's Sender Report of stream {@code index} (RFC 3550 §6.4.1). */
    void onSenderReport(int index, long rtpTimestamp, long ntpTimestamp) {
        Consumer[] list = consumers;
        for (int i = 0; i < list.length; i++) {
            list[i].onPublisherSenderReport(index, rtpTimestamp, ntpTimestamp);
        }
    }

    int payloadType() {
        return payloadType;
    }

    int redPayloadType() {
        return redPayloadType;
    }

    void redPayloadType(int pt) {
        redPayloadType = pt;
    }

    /** Whether {@code rtp} carries redundant audio (RFC 2198) rather than a plain frame. */
    boolean isRed(RtpPacket rtp) {
        return redPayloadType >= 0 && rtp.payloadType() == redPayloadType;
    }

    /** RED whose block headers fit its payload and whose every block is the negotiated Opus. */
    private boolean isWellFormedRed(RtpPacket rtp) {
        RedPayload red = context.red;
        if (!red.wrap(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength())) {
            return false;
        }
        for (int i = 0; i < red.blockCount(); i++) {
            if (red.payloadType(i) != payloadType) {
                return false;
            }
        }
        return true;
    }

    void payloadType(int pt) {
        payloadType = pt;
    }

    /** NACKs due on every stream; returns RTCP packets sent. */
    int sendNacks(long nowNanos) {
        int sent = 0;
        for (ProducerStream stream : streams) {
            sent += stream.sendNack(nowNanos);
        }
        return sent;
    }

    boolean isSimulcast() {
        return simulcast;
    }

    int streamCount() {
        return streams.length;
    }

    ProducerStream stream(int index) {
        return streams[index];
    }

    /**
     * The layer a packet of an SSRC not bound yet belongs to, from its mid and rid header
     * extensions (RFC 8852 §3.3, RFC 8843 §15), or null. Allocates nothing.
     */
    ProducerStream layerOf(RtpPacket rtp) {
        return mid == null ? null : layerNamedBy(rtp, ridExtensionId);
    }

    /**
     * The layer whose retransmission stream a packet of an unbound SSRC is, from its mid and
     * repaired-rid extensions (RFC 8852 §3.2), or null. Allocates nothing.
     */
    ProducerStream repairedLayerOf(RtpPacket rtp) {
        return mid == null || repairedRidExtensionId < 0 ? null : layerNamedBy(rtp, repairedRidExtensionId);
    }

    /** The layer whose rid the packet's extension {@code extensionId} holds, if its mid is this Producer's. */
    private ProducerStream layerNamedBy(RtpPacket rtp, int extensionId) {
        int midAt = rtp.findExtension(midExtensionId);
        if (midAt < 0 || !equalsAscii(mid, rtp.buffer(), midAt, rtp.lastExtensionLength())) {
            return null;
        }
        int at = rtp.findExtension(extensionId);
        if (at < 0) {
            return null;
        }
        int length = rtp.lastExtensionLength();
        for (ProducerStream stream : streams) {
            if (stream.hasRid(rtp.buffer(), at, length)) {
                return stream;
            }
        }
        return null;
    }

    int speakerSlot() {
        return speakerSlot;
    }

    void speakerSlot(int slot) {
        speakerSlot = slot;
    }

    /** Feeds this audio Producer's levels to {@code activeSpeakers} (null: no longer). */
    void followedBy(ActiveSpeakers activeSpeakers) {
        speakers = activeSpeakers;
    }

    int audioLevelExtensionId() {
        return audioLevelExtensionId;
    }

    void audioLevelExtensionId(int id) {
        audioLevelExtensionId = id;
    }

    void repairedRidExtensionId(int id) {
        repairedRidExtensionId = id;
    }

    private static boolean equalsAscii(byte[] expected, byte[] buf, int off, int len) {
        if (len != expected.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (buf[off + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Asks the publisher for a keyframe of the first (or only) stream. */
    void requestKeyframe(long nowNanos) {
        streams[0].requestKeyframe(nowNanos);
    }

    /** Asks the publisher for a keyframe of stream (layer) {@code index}. */
    void requestKeyframe(int index, long nowNanos) {
        streams[index].requestKeyframe(nowNanos);
    }

    /** Sends the held keyframe requests whose interval has passed; returns packets sent. */
    int sendHeldKeyframeRequest(long nowNanos) {
        int sent = 0;
        for (ProducerStream stream : streams) {
            sent += stream.sendHeldKeyframeRequest(nowNanos);
        }
        return sent;
    }

    void addConsumer(Consumer consumer) {
        Consumer[] next = Arrays.copyOf(consumers, consumers.length + 1);
        next[consumers.length] = consumer;
        consumers = next;
    }

    void removeConsumer(Consumer consumer) {
        for (int i = 0; i < consumers.length; i++) {
            if (consumers[i] == consumer) {
                Consumer[] next = new Consumer[consumers.length - 1];
                System.arraycopy(consumers, 0, next, 0, i);
                System.arraycopy(consumers, i + 1, next, i, consumers.length - i - 1);
                consumers = next;
                return;
            }
        }
    }

    /** Detaches every Consumer (the Producer closes) and returns them. */
    Consumer[] removeAllConsumers() {
        Consumer[] removed = consumers;
        consumers = NONE;
        return removed;
    }

    RouterTransport source() {
        return source;
    }

    /** A screen share: allocated before cameras (BandwidthAllocator.PRIORITY_SCREEN). Worker thread. */
    boolean isScreenShare() {
        return screenShare;
    }

    void screenShare(boolean screen) {
        screenShare = screen;
    }

    /** Totals over the streams; jitter is the largest of theirs. */
    RouterStats.ProducerSample sample() {
        long packets = 0;
        long bytes = 0;
        int lost = 0;
        long expected = 0;
        double jitterMs = 0;
        for (ProducerStream stream : streams) {
            packets += stream.packetsReceived();
            bytes += stream.bytesReceived();
            if (stream.stats().hasPackets()) {
                lost += stream.stats().cumulativeLost();
                expected += stream.stats().expected();
                jitterMs = Math.max(jitterMs, stream.stats().jitter() * 1000.0 / codec.clockRate());
            }
        }
        return new RouterStats.ProducerSample(id, packets, bytes, lost, expected, jitterMs);
    }

    public int id() {
        return id;
    }

    public Codec codec() {
        return codec;
    }
}
