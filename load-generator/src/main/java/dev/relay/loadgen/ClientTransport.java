package dev.relay.loadgen;

import dev.relay.codecs.Bytes;
import dev.relay.codecs.Demux;
import dev.relay.codecs.rtcp.FirPacket;
import dev.relay.codecs.rtcp.NtpTime;
import dev.relay.codecs.rtcp.PliPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.ReportBlock;
import dev.relay.codecs.rtcp.RtcpCompoundIterator;
import dev.relay.codecs.rtcp.RtcpHeader;
import dev.relay.codecs.rtcp.SenderReport;
import dev.relay.codecs.rtcp.ReceiveStatistics;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.stun.StunMessage;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsSession;
import dev.relay.transport.srtp.SrtpKeys;
import dev.relay.transport.ice.IceCredentials;
import dev.relay.transport.srtp.SrtpSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.collections.Int2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PeerConnection of a synthetic peer, as a browser runs it against the ICE-lite relay: one
 * {@link PacketSocket} on 127.0.0.1 carrying STUN, DTLS and SRTP/SRTCP (RFC 7983 demux), a UDP
 * socket or, with {@code --ice-tcp}, one ICE-TCP connection (RFC 6544), we the
 * controlling ICE agent (RFC 8445 §7.2, aggressive nomination) and the DTLS client (we answer
 * {@code a=setup:active} or offer {@code actpass} to a relay that answers {@code passive}).
 *
 * <p>Against a full-ICE server (Janus) the socket is on the load generator's end of a veth pair,
 * the server's checks are answered too ({@link IceCheckResponder}), the offerer controls ICE,
 * and the DTLS role follows the answer (RFC 5763 §5): a server answering {@code active} to our
 * {@code actpass} offer makes us the DTLS server.
 *
 * <p>Threads: everything here runs on its {@link IoLoop} except the DTLS handshake, which
 * {@link DtlsSession} runs on the shared handshake executor; its result comes back to the loop
 * as a command. The fields the orchestrating thread reads for progress are volatile.
 */
final class ClientTransport implements RtpSink, PacketSocket.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ClientTransport.class);

    enum Role { PUBLISH, SUBSCRIBE }

    enum State { NEW, CHECKING, DTLS, CONNECTED, FAILED, CLOSED }

    /** RFC 3550 §6.2 leaves the interval to the profile; WebRTC stacks report about once a second. */
    private static final long RTCP_INTERVAL_NANOS = 1_000_000_000L;
    private static final int MAX_REPORT_BLOCKS = 31;

    final SyntheticPeer peer;
    final Role role;
    final IoLoop loop;
    final String localUfrag;
    final String localPwd;
    private final PacketSocket socket;
    private final String localAddress;
    private final int rtcpSsrc = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
    private final DtlsCertificate certificate;
    private final Executor dtlsExecutor;
    private final int decryptEvery;

    private volatile State state = State.NEW;
    private volatile String failure;
    /** The run is over and the peer leaves: the server closing our path is expected, not a failure. */
    private boolean leaving;

    // Set by start() on the loop.
    private final IceControllingAgent ice = new IceControllingAgent();
    private final IceCheckResponder responder;
    private boolean controlling = true;
    private DtlsSession.Role dtlsRole = DtlsSession.Role.CLIENT;
    private byte[] remoteIp;
    private int remotePort;
    private String fingerprintAlgorithm;
    private String fingerprint;
    private long nextRtcpNanos;

    private DtlsSession dtls;
    /** A DTLS server's keys when the handshake finished before our own ICE check was answered. */
    private SrtpKeys pendingKeys;
    private SrtpSession srtp;

    // Publisher side.
    AudioSource audio;
    VideoSource video;
    long rtcpPacketsReceived;
    long pliReceived;
    long firReceived;

    // Subscriber side.
    private final Int2ObjectHashMap<ReceiveStream> streams = new Int2ObjectHashMap<>();
    final List<ReceiveStream> streamList = new ArrayList<>();
    private volatile int activeStreams;
    private volatile int flowingStreams;
    long unknownSsrcPackets;
    long earlyMediaPackets;
    long srtcpFailures;
    long sendFailures;

    ClientTransport(SyntheticPeer peer, Role role, IoLoop loop, DtlsCertificate certificate, Executor dtlsExecutor,
                    int decryptEvery) throws IOException {
        this(peer, role, loop, certificate, dtlsExecutor, decryptEvery, "127.0.0.1", false);
    }

    /**
     * @param localAddress where the socket binds: 127.0.0.1, or our end of a namespace's veth pair
     * @param iceTcp       use the server's passive ICE-TCP candidate instead of its UDP one
     */
    ClientTransport(SyntheticPeer peer, Role role, IoLoop loop, DtlsCertificate certificate, Executor dtlsExecutor,
                    int decryptEvery, String localAddress, boolean iceTcp) throws IOException {
        this.peer = peer;
        this.role = role;
        this.loop = loop;
        this.certificate = certificate;
        this.dtlsExecutor = dtlsExecutor;
        this.decryptEvery = Math.max(1, decryptEvery);
        IceCredentials credentials = IceCredentials.random();
        this.localUfrag = credentials.ufrag();
        this.localPwd = credentials.pwd();
        this.responder = new IceCheckResponder(localUfrag, localPwd);
        this.localAddress = localAddress;
        this.socket = iceTcp ? new TcpPacketSocket(loop, this, localAddress) : new UdpPacketSocket(loop, this, localAddress);
    }

    Sdp.LocalTransport localDescription() {
        return new Sdp.LocalTransport(localUfrag, localPwd, certificate.fingerprintSha256(), localAddress,
                socket.candidatePort(), socket.protocol());
    }

    State state() {
        return state;
    }

    String failure() {
        return failure;
    }

    boolean isConnected() {
        return state == State.CONNECTED;
    }

    int activeStreams() {
        return activeStreams;
    }

    int flowingStreams() {
        return flowingStreams;
    }

    // ---- loop thread ----

    void register() throws IOException {
        socket.register(loop);
    }

    /** Learns the relay's side from its SDP and starts ICE checks towards its loopback candidate. */
    void start(Sdp.Remote remote, long now) {
        start(remote, true, DtlsSession.Role.CLIENT, now);
    }

    /**
     * Starts ICE towards the server's candidate in the given roles. A DTLS server listens from
     * now on, so that a ClientHello sent as soon as the server's ICE succeeds is not lost.
     */
    void start(Sdp.Remote remote, boolean iceControlling, DtlsSession.Role dtls, long now) {
        if (state != State.NEW) {
            return;
        }
        controlling = iceControlling;
        dtlsRole = dtls;
        InetSocketAddress candidate = socket.remoteCandidate(remote);
        if (candidate == null) {
            fail("the server's SDP has no " + socket.protocol() + " candidate we can use"
                    + ("tcp".equals(socket.protocol()) ? " (a passive ICE-TCP one on 127.0.0.1 or 198.18.0.0/15;"
                    + " is the relay's --media-tcp-port -1?)" : ""));
            return;
        }
        remoteIp = candidate.getAddress().getAddress();
        remotePort = candidate.getPort();
        try {
            socket.connect(candidate);
        } catch (IOException e) {
            fail("cannot connect " + socket.protocol() + " socket to " + candidate + ": " + e);
            return;
        }
        ice.start(remote.iceUfrag(), remote.icePwd(), localUfrag, controlling, now);
        fingerprintAlgorithm = remote.fingerprintAlgorithm();
        fingerprint = remote.fingerprint();
        state = State.CHECKING;
        if (dtlsRole == DtlsSession.Role.SERVER) {
            startDtls();
        }
    }

    void addSources(AudioSource audio, VideoSource video) {
        this.audio = audio;
        this.video = video;
    }

    /** Adds newly offered streams and retires the ones the relay's new offer marks inactive. */
    void updateStreams(List<StreamSpec> specs) {
        for (ReceiveStream stream : streamList) {
            stream.active = false;
        }
        for (StreamSpec spec : specs) {
            ReceiveStream stream = streams.get(spec.ssrc());
            if (stream == null) {
                stream = new ReceiveStream(spec.ssrc(), spec.video(), spec.publisher(), spec.trackId());
                streams.put(spec.ssrc(), stream);
                streamList.add(stream);
            }
            stream.active = true;
        }
        int active = 0;
        int flowing = 0;
        for (ReceiveStream stream : streamList) {
            if (stream.active) {
                active++;
                if (stream.started()) {
                    flowing++;
                }
            }
        }
        activeStreams = active;
        flowingStreams = flowing;
    }

    /** Timers: ICE checks and consent, RTCP reports. Called every few milliseconds. */
    void housekeeping(long now) {
        if (state != State.CHECKING && state != State.DTLS && state != State.CONNECTED) {
            return;
        }
        if (ice.timedOut(now)) {
            fail("ICE: no STUN success response from the relay in "
                    + IceControllingAgent.TIMEOUT_NANOS / 1_000_000_000L + " s");
            return;
        }
        int len = ice.writeCheckIfDue(now, loop.tx, loop.stunWriter);
        if (len > 0) {
            write(loop.tx, len);
        }
        if (state == State.CONNECTED && now - nextRtcpNanos >= 0) {
            nextRtcpNanos = now + RTCP_INTERVAL_NANOS;
            if (role == Role.PUBLISH) {
                sendSenderReports(now);
            } else {
                sendReceiverReports(now);
            }
        }
    }

    /** Sends the due media; returns when the next packet is due. */
    long sendDue(long now) {
        if (state != State.CONNECTED) {
            return Long.MAX_VALUE;
        }
        long next = Long.MAX_VALUE;
        if (audio != null) {
            next = Math.min(next, audio.sendDue(now, loop.tx, this));
        }
        if (video != null) {
            next = Math.min(next, video.sendDue(now, loop.tx, this));
        }
        return next;
    }

    /** The run's end: media stops and the peer leaves, after which the server may close the path. */
    void leave() {
        leaving = true;
        stopSources();
    }

    void stopSources() {
        if (audio != null) {
            audio.stop();
        }
        if (video != null) {
            video.stop();
        }
    }

    /** One packet from the socket (a datagram, or one RFC 4571 frame of the TCP stream); loop thread. */
    @Override
    public void onPacket(byte[] buf, int len) {
        onDatagram(buf, len, System.nanoTime());
    }

    @Override
    public void onSocketFailed(String reason) {
        if (leaving) {
            // The relay closes an ICE-TCP connection when its Transport closes: after our leave.
            LOG.debug("{} {} path closed while leaving: {}", peer.name(), role, reason);
            return;
        }
        fail(reason);
    }

    private void onDatagram(byte[] buf, int len, long now) {
        switch (Demux.classify(buf, 0, len)) {
            case STUN -> onStun(buf, len, now);
            case DTLS -> {
                DtlsSession session = dtls;
                if (session != null) {
                    session.offer(buf, 0, len);
                }
            }
            case RTP -> onSrtp(buf, len, now);
            case RTCP -> onSrtcp(buf, len, now);
            default -> loop.unknownDatagrams++;
        }
    }

    private void onStun(byte[] buf, int len, long now) {
        StunMessage stun = loop.stun;
        if (!stun.wrap(buf, 0, len)) {
            return;
        }
        if (stun.isBindingRequest()) {
            if (responder.onRequest(stun, remoteIp, remotePort, loop.tx, loop.stunWriter)
                    == IceCheckResponder.Outcome.ANSWERED) {
                write(loop.tx, responder.responseLength());
                if (!controlling && responder.nominated()) {
                    iceConnected();
                }
            }
            return;
        }
        if (ice.onResponse(stun, now)) {
            iceConnected();
        }
    }

    /** The first check that succeeded, or the server's nomination, leads to DTLS. */
    private void iceConnected() {
        if (state != State.CHECKING) {
            return;
        }
        state = State.DTLS;
        if (dtlsRole == DtlsSession.Role.CLIENT) {
            startDtls();
        } else if (pendingKeys != null) {
            SrtpKeys keys = pendingKeys;
            pendingKeys = null;
            onDtlsComplete(keys);
        }
    }


    private void startDtls() {
        DtlsSession.Sender sender = socket::sendFromHandshake;
        DtlsSession.Listener listener = new DtlsSession.Listener() {
            @Override
            public void onHandshakeComplete(SrtpKeys keys) {
                loop.execute(() -> onDtlsComplete(keys));
            }

            @Override
            public void onFailure(String reason, Throwable cause) {
                loop.execute(() -> fail("DTLS: " + reason));
            }
        };
        try {
            dtls = new DtlsSession(certificate, dtlsRole, fingerprintAlgorithm, fingerprint, sender, listener);
            dtls.start(dtlsExecutor);
        } catch (RuntimeException e) {
            fail("DTLS: " + e.getMessage());
        }
    }

    private void onDtlsComplete(SrtpKeys keys) {
        if (state == State.CHECKING) {
            // The server finished DTLS over a pair it validated; count ICE done when ours is too.
            pendingKeys = keys;
            return;
        }
        if (state != State.DTLS) {
            return;
        }
        srtp = new SrtpSession(keys);
        long now = System.nanoTime();
        // Spread the reports of many transports over the second instead of sending them in step.
        nextRtcpNanos = now + ThreadLocalRandom.current().nextLong(RTCP_INTERVAL_NANOS);
        state = State.CONNECTED;
        if (audio != null) {
            audio.start(now);
        }
        if (video != null) {
            video.start(now);
        }
    }

    /** Protects the RTP packet in {@code buf} in place and sends it; false if dropped. */
    @Override
    public boolean sendRtp(byte[] buf, int len) {
        int protectedLength = srtp.protectRtp(buf, 0, len);
        if (protectedLength < 0) {
            sendFailures++;
            return false;
        }
        return write(buf, protectedLength);
    }

    private boolean sendRtcp(byte[] buf, int len) {
        int protectedLength = srtp.protectRtcp(buf, 0, len);
        if (protectedLength < 0) {
            sendFailures++;
            return false;
        }
        return write(buf, protectedLength);
    }

    /** Sends a packet; a drop (full socket buffer, TCP send queue full, server gone) is counted. */
    private boolean write(byte[] buf, int len) {
        if (socket.send(buf, 0, len)) {
            return true;
        }
        sendFailures++;
        return false;
    }

    private void onSrtp(byte[] buf, int len, long now) {
        if (role != Role.SUBSCRIBE) {
            return;
        }
        int ssrc = Bytes.int32(buf, 8);
        ReceiveStream stream = streams.get(ssrc);
        if (stream == null) {
            unknownSsrcPackets++;
            return;
        }
        boolean wasStarted = stream.started();
        stream.onPacket(Bytes.uint16(buf, 2), Bytes.uint32(buf, 4), now);
        if (!wasStarted && stream.active) {
            flowingStreams++;
        }
        if (srtp == null) {
            earlyMediaPackets++;
            return;
        }
        if (decryptEvery > 1 && stream.totalReceived() % decryptEvery != 1) {
            return;
        }
        int rtpLength = srtp.unprotectRtp(buf, 0, len);
        if (rtpLength < 0) {
            stream.decryptFailures++;
            return;
        }
        stream.decrypted++;
        RtpPacket rtp = loop.rtp;
        if (!rtp.wrap(buf, 0, rtpLength)) {
            stream.badProbes++;
            return;
        }
        int payload = rtp.payloadOffset();
        int end = payload + rtp.payloadLength();
        int probe;
        if (stream.video) {
            Vp8PayloadDescriptor vp8 = loop.vp8;
            probe = vp8.wrap(buf, payload, end - payload)
                    ? payload + vp8.descriptorLength() + Probe.VP8_FRAME_TAG_LENGTH : -1;
        } else {
            probe = payload + Probe.OPUS_TOC_LENGTH;
        }
        if (probe < 0 || !Probe.valid(buf, probe, end)) {
            stream.badProbes++;
            return;
        }
        if (Probe.publisher(buf, probe) != stream.publisher
                || Probe.kind(buf, probe) != (stream.video ? Probe.KIND_VIDEO : Probe.KIND_AUDIO)) {
            stream.misrouted++;
            return;
        }
        if (loop.measuring) {
            long micros = (now - Probe.sendNanos(buf, probe)) / 1000;
            (stream.video ? loop.videoLatency : loop.audioLatency).record(micros);
        }
    }

    private void onSrtcp(byte[] buf, int len, long now) {
        if (srtp == null) {
            return;
        }
        int rtcpLength = srtp.unprotectRtcp(buf, 0, len);
        if (rtcpLength < 0) {
            srtcpFailures++;
            return;
        }
        rtcpPacketsReceived++;
        RtcpCompoundIterator it = loop.rtcp;
        if (!it.reset(buf, 0, rtcpLength)) {
            return;
        }
        while (it.next()) {
            int type = it.header().packetType();
            int off = it.packetOffset();
            int plen = it.packetLength();
            if (type == RtcpHeader.PT_SR && role == Role.SUBSCRIBE) {
                SenderReport sr = loop.senderReport;
                if (sr.wrap(buf, off, plen)) {
                    ReceiveStream stream = streams.get(sr.senderSsrc());
                    if (stream != null) {
                        stream.statistics.onSenderReport(sr.ntpTimestamp(), now);
                    }
                }
            } else if (type == RtcpHeader.PT_PSFB && it.header().count() == PliPacket.FMT) {
                PliPacket pli = loop.pli;
                if (pli.wrap(buf, off, plen)) {
                    pliReceived++;
                    if (video != null && pli.mediaSsrc() == video.ssrc()) {
                        video.requestKeyframe();
                    }
                }
            } else if (type == RtcpHeader.PT_PSFB && it.header().count() == FirPacket.FMT) {
                FirPacket fir = loop.fir;
                if (fir.wrap(buf, off, plen)) {
                    firReceived++;
                    for (int i = 0; i < fir.entryCount(); i++) {
                        if (video != null && fir.ssrc(i) == video.ssrc()) {
                            video.requestKeyframe();
                        }
                    }
                }
            }
        }
    }

    /** One compound packet with an SR per track we send (RFC 3550 §6.4.1). */
    private void sendSenderReports(long now) {
        byte[] buf = loop.tx;
        long ntp = NtpTime.fromEpochMillis(System.currentTimeMillis());
        int len = 0;
        if (audio != null && audio.packetsSent > 0) {
            len += SenderReport.write(buf, len, audio.ssrc(), ntp, audio.rtpTimestampAt(now), audio.packetsSent,
                    audio.payloadBytesSent);
        }
        if (video != null && video.packetsSent > 0) {
            len += SenderReport.write(buf, len, video.ssrc(), ntp, video.rtpTimestampAt(now), video.packetsSent,
                    video.payloadBytesSent);
        }
        if (len > 0) {
            sendRtcp(buf, len);
        }
    }

    /**
     * RRs with a block per stream that has packets, at most 31 blocks per RR (RFC 3550 §6.4.2),
     * as many RRs per compound datagram as fit. With nothing received yet an empty RR still
     * tells the relay we are alive.
     */
    private void sendReceiverReports(long now) {
        byte[] buf = loop.tx;
        int capacity = buf.length - SrtpSession.MAX_RTCP_OVERHEAD;
        int fullReport = ReceiverReport.HEADER_LENGTH + MAX_REPORT_BLOCKS * ReportBlock.LENGTH;
        List<ReceiveStream> list = streamList;
        int next = 0;
        int len = 0;
        while (true) {
            int header = len;
            len += ReceiverReport.HEADER_LENGTH;
            int blocks = 0;
            while (next < list.size() && blocks < MAX_REPORT_BLOCKS) {
                ReceiveStream stream = list.get(next++);
                if (!stream.active || !stream.started()) {
                    continue;
                }
                ReceiveStatistics stats = stream.statistics;
                len += ReceiverReport.writeBlock(buf, len, stream.ssrc, stats.takeFractionLost(),
                        stats.cumulativeLost(), stats.extendedHighestSeq() & 0xFFFFFFFFL,
                        stats.jitter() & 0xFFFFFFFFL, stats.lastSrNtpMiddle(), stats.delaySinceLastSr(now));
                blocks++;
            }
            ReceiverReport.writeHeader(buf, header, rtcpSsrc, blocks);
            if (next >= list.size()) {
                sendRtcp(buf, len);
                return;
            }
            if (len + fullReport > capacity) {
                sendRtcp(buf, len);
                len = 0;
            }
        }
    }

    void fail(String reason) {
        if (state == State.FAILED || state == State.CLOSED) {
            return;
        }
        failure = reason;
        state = State.FAILED;
        LOG.warn("{} {} transport failed: {}", peer.name(), role, reason);
        stopSources();
    }

    void markWindowStart() {
        for (ReceiveStream stream : streamList) {
            stream.markWindowStart();
        }
        if (audio != null) {
            audio.markWindowStart();
        }
        if (video != null) {
            video.markWindowStart();
        }
    }

    long srtpAuthFailures() {
        return srtp == null ? 0 : srtp.authFailures() + srtp.replayFailures() + srtp.otherFailures();
    }

    /** Sends close_notify and closes the socket; loop thread. */
    void close() {
        stopSources();
        if (state != State.FAILED) {
            state = State.CLOSED;
        }
        DtlsSession session = dtls;
        if (session != null) {
            session.close();
        }
        socket.close();
        if (srtp != null) {
            srtp.close();
            srtp = null;
        }
    }

    /** One stream the relay's subscribe offer announces. */
    record StreamSpec(int ssrc, boolean video, int publisher, String trackId) {
    }
}
