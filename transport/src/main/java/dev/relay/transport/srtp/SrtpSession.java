package dev.relay.transport.srtp;

import java.security.GeneralSecurityException;
import org.agrona.collections.Int2ObjectHashMap;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;

/**
 * SRTP and SRTCP for one Transport (RFC 3711; AES-GCM per RFC 7714), in place on the caller's
 * buffer: {@code local} keys protect what we send, {@code remote} keys unprotect what we receive.
 *
 * <p>Owned by one media worker thread; not thread-safe. Crypto contexts are made per SSRC on
 * first use (RFC 3711 §3.2.3) and kept in primitive-keyed maps. Per packet nothing throws: a
 * failure returns -1 and is counted by reason.
 *
 * <p>Sending never reuses an SRTP index: jitsi-srtp's sender-side replay check rejects a packet
 * whose SSRC and sequence number were already protected (counted as a replay). With GCM a reused
 * index with different bytes would reuse the nonce (RFC 7714 §8.1) and leak the GHASH key, so
 * retransmissions must go out as RTX (RFC 4588: own SSRC and sequence numbers).
 *
 * <p>Allocation: this class allocates nothing per packet once an SSRC's context exists. jitsi-srtp
 * itself still does, inside the JCA calls it makes for every packet (a new IvParameterSpec or
 * GCMParameterSpec per {@code Cipher.init}, a new tag array per {@code Mac.doFinal}); see
 * {@code SrtpSessionAllocationTest} for the measured bytes per packet.
 */
public final class SrtpSession {
    /** Room the caller must leave after an RTP packet for {@link #protectRtp}: the GCM tag. */
    public static final int MAX_RTP_OVERHEAD = 16;

    /**
     * Room the caller must leave after an RTCP packet for {@link #protectRtcp}: the SRTCP
     * E-flag + index word (RFC 3711 §3.4) plus the GCM tag.
     */
    public static final int MAX_RTCP_OVERHEAD = 20;

    /**
     * Receive contexts per direction. A publisher sends a handful of SSRCs (simulcast layers,
     * RTX, audio); the cap bounds what a buggy or hostile peer can make us keep.
     */
    static final int MAX_RECEIVE_SSRCS = 256;

    /*
     * RFC 3550 §5.1 (RTP) and §6.4.1 (RTCP), the words read here:
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |V=2|P|X|  CC   |M|     PT      |       sequence number         |  RTP
     * |                           timestamp                           |
     * |           synchronization source (SSRC) identifier            |  bytes 8..11
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |V=2|P|    RC   |   PT=SR..     |             length            |  RTCP
     * |                         SSRC of sender                        |  bytes 4..7
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     */
    private static final int RTP_SSRC_OFFSET = 8;
    private static final int RTP_FIXED_HEADER_LENGTH = 12;
    private static final int RTCP_SSRC_OFFSET = 4;
    private static final int RTCP_FIXED_HEADER_LENGTH = 8;
    /** SRTCP E flag + 31-bit index, RFC 3711 §3.4. */
    private static final int SRTCP_INDEX_LENGTH = 4;
    private static final int VERSION_MASK = 0xC0;
    private static final int VERSION_2 = 0x80;
    private static final int EXTENSION_BIT = 0x10;
    private static final int CSRC_COUNT_MASK = 0x0F;

    private final SrtpProfile profile;
    private final SrtpContextFactory sendFactory;
    private final SrtpContextFactory receiveFactory;
    private final Int2ObjectHashMap<SrtpCryptoContext> rtpSend = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<SrtpCryptoContext> rtpReceive = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<SrtcpCryptoContext> rtcpSend = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<SrtcpCryptoContext> rtcpReceive = new Int2ObjectHashMap<>();
    private final PacketBuffer packet = new PacketBuffer();
    /** The first packet of a new SSRC, kept while its rollover counter is guessed. */
    private final byte[] firstPacket = new byte[2048];
    private final int rtpTrailer;
    private final int rtcpTrailer;

    private long authFailures;
    private long replayFailures;
    private long otherFailures;

    public SrtpSession(SrtpKeys keys) {
        // Pins jitsi-srtp's AES provider before the first context: the choice is made once.
        AesImplementation.provider();
        this.profile = keys.profile();
        Slf4jJitsiLogger logger = new Slf4jJitsiLogger(SrtpSession.class.getName());
        this.sendFactory = new SrtpContextFactory(true, keys.localKey(), keys.localSalt(),
                profile.createSrtpPolicy(), profile.createSrtcpPolicy(), logger);
        this.receiveFactory = new SrtpContextFactory(false, keys.remoteKey(), keys.remoteSalt(),
                profile.createSrtpPolicy(), profile.createSrtcpPolicy(), logger);
        this.rtpTrailer = profile.authTagLength();
        this.rtcpTrailer = SRTCP_INDEX_LENGTH + profile.authTagLength();
    }

    /**
     * Loads jitsi-srtp, picks its AES implementation and derives and runs a context for each
     * profile, once, at relay start: done lazily, the first participant's first packet waited for
     * it (seconds on a loaded 2-core machine, docs/operations.md). Returns the AES provider.
     */
    public static String warmUp() {
        byte[] rtp = new byte[12 + 20 + MAX_RTP_OVERHEAD];
        for (SrtpProfile profile : SrtpProfile.values()) {
            byte[] key = new byte[profile.keyLength()];
            byte[] salt = new byte[profile.saltLength()];
            SrtpSession sender = new SrtpSession(new SrtpKeys(profile, key, salt, key, salt));
            SrtpSession receiver = new SrtpSession(new SrtpKeys(profile, key, salt, key, salt));
            rtp[0] = (byte) VERSION_2;
            int protectedLength = sender.protectRtp(rtp, 0, 32);
            if (protectedLength < 0 || receiver.unprotectRtp(rtp, 0, protectedLength) != 32) {
                throw new IllegalStateException("SRTP self-test failed for " + profile);
            }
            sender.close();
            receiver.close();
        }
        return aesProvider();
    }

    /** The JCA provider jitsi-srtp uses for AES in this process ("JitsiOpenSslProvider" or "SunJCE"). */
    public static String aesProvider() {
        return AesImplementation.provider();
    }

    public SrtpProfile profile() {
        return profile;
    }

    /**
     * Encrypts and authenticates an RTP packet in place.
     *
     * @param buf must have at least {@link #MAX_RTP_OVERHEAD} bytes free after {@code off + len}
     * @return the SRTP packet's length (from {@code off}), or -1 if dropped
     */
    public int protectRtp(byte[] buf, int off, int len) {
        if (!isRtpOrRtcp(buf, off, len, RTP_FIXED_HEADER_LENGTH) || off + len + rtpTrailer > buf.length
                || rtpHeaderLength(buf, off, len) < 0) {
            otherFailures++;
            return -1;
        }
        int ssrc = readInt(buf, off + RTP_SSRC_OFFSET);
        try {
            SrtpCryptoContext context = rtpSend.get(ssrc);
            if (context == null) {
                // Our own SSRCs start at ROC 0: the SFU rewrites sequence numbers per Consumer.
                context = sendFactory.deriveContext(ssrc, 0);
                rtpSend.put(ssrc, context);
            }
            return result(context.transformPacket(packet.wrap(buf, off, len)), off);
        } catch (GeneralSecurityException | RuntimeException e) {
            otherFailures++;
            return -1;
        } finally {
            packet.clear();
        }
    }

    /**
     * Authenticates, replay-checks (RFC 3711 §3.3.2) and decrypts an SRTP packet in place.
     *
     * @return the RTP packet's length (from {@code off}), or -1 if dropped
     */
    public int unprotectRtp(byte[] buf, int off, int len) {
        if (!isRtpOrRtcp(buf, off, len, RTP_FIXED_HEADER_LENGTH + rtpTrailer)) {
            otherFailures++;
            return -1;
        }
        int ssrc = readInt(buf, off + RTP_SSRC_OFFSET);
        try {
            SrtpCryptoContext context = rtpReceive.get(ssrc);
            if (context != null) {
                return result(context.reverseTransformPacket(packet.wrap(buf, off, len), false), off);
            }
            if (rtpReceive.size() >= MAX_RECEIVE_SSRCS || len > firstPacket.length) {
                otherFailures++;
                return -1;
            }
            return unprotectFirstRtp(ssrc, buf, off, len);
        } catch (GeneralSecurityException | RuntimeException e) {
            otherFailures++;
            return -1;
        } finally {
            packet.clear();
        }
    }

    /**
     * The first packet of an SSRC we have no context for. RFC 3711 §3.3.1 starts the receiver's
     * rollover counter at 0, which is right only if we saw the stream begin. If its sequence
     * number wrapped before we could decrypt (its first packets came before the DTLS keys), ROC 0
     * fails and ROC 1 is right, so that one is tried too, on a copy of the packet (a failed attempt
     * may have changed the buffer). A context is kept only once a packet authenticated with it:
     * junk with random SSRCs must not grow the map.
     */
    private int unprotectFirstRtp(int ssrc, byte[] buf, int off, int len) throws GeneralSecurityException {
        System.arraycopy(buf, off, firstPacket, 0, len);
        long auth = authFailures;
        long replay = replayFailures;
        long other = otherFailures;
        for (int roc = 0; roc <= 1; roc++) {
            if (roc > 0) {
                System.arraycopy(firstPacket, 0, buf, off, len);
            }
            SrtpCryptoContext context = receiveFactory.deriveContext(ssrc, roc);
            int result = result(context.reverseTransformPacket(packet.wrap(buf, off, len), false), off);
            packet.clear();
            if (result >= 0) {
                rtpReceive.put(ssrc, context);
                // A wrong first guess is not a failure of the packet.
                authFailures = auth;
                replayFailures = replay;
                otherFailures = other;
                return result;
            }
        }
        // Neither guess authenticates: one failed packet.
        authFailures = auth + 1;
        replayFailures = replay;
        otherFailures = other;
        return -1;
    }

    /**
     * Encrypts and authenticates a (compound) RTCP packet in place, appending the SRTCP index
     * and tag.
     *
     * @param buf must have at least {@link #MAX_RTCP_OVERHEAD} bytes free after {@code off + len}
     * @return the SRTCP packet's length (from {@code off}), or -1 if dropped
     */
    public int protectRtcp(byte[] buf, int off, int len) {
        if (!isRtpOrRtcp(buf, off, len, RTCP_FIXED_HEADER_LENGTH) || off + len + rtcpTrailer > buf.length) {
            otherFailures++;
            return -1;
        }
        int ssrc = readInt(buf, off + RTCP_SSRC_OFFSET);
        try {
            SrtcpCryptoContext context = rtcpSend.get(ssrc);
            if (context == null) {
                context = sendFactory.deriveControlContext(ssrc);
                rtcpSend.put(ssrc, context);
            }
            return result(context.transformPacket(packet.wrap(buf, off, len)), off);
        } catch (GeneralSecurityException | RuntimeException e) {
            otherFailures++;
            return -1;
        } finally {
            packet.clear();
        }
    }

    /**
     * Authenticates, replay-checks and decrypts an SRTCP packet in place.
     *
     * @return the RTCP packet's length (from {@code off}), or -1 if dropped
     */
    public int unprotectRtcp(byte[] buf, int off, int len) {
        if (!isRtpOrRtcp(buf, off, len, RTCP_FIXED_HEADER_LENGTH + rtcpTrailer)) {
            otherFailures++;
            return -1;
        }
        int ssrc = readInt(buf, off + RTCP_SSRC_OFFSET);
        try {
            SrtcpCryptoContext context = rtcpReceive.get(ssrc);
            boolean created = false;
            if (context == null) {
                if (rtcpReceive.size() >= MAX_RECEIVE_SSRCS) {
                    otherFailures++;
                    return -1;
                }
                context = receiveFactory.deriveControlContext(ssrc);
                created = true;
            }
            int result = result(context.reverseTransformPacket(packet.wrap(buf, off, len)), off);
            if (created && result >= 0) {
                rtcpReceive.put(ssrc, context);
            }
            return result;
        } catch (GeneralSecurityException | RuntimeException e) {
            otherFailures++;
            return -1;
        } finally {
            packet.clear();
        }
    }

    /** Packets dropped because the authentication tag did not verify. */
    public long authFailures() {
        return authFailures;
    }

    /** Packets dropped as replays or as older than the 64-packet replay window (RFC 3711 §3.3.2). */
    public long replayFailures() {
        return replayFailures;
    }

    /** Packets dropped for any other reason: malformed, no room for the trailer, crypto errors. */
    public long otherFailures() {
        return otherFailures;
    }

    /**
     * Ends the session: the factories zero their master keys and every crypto context is dropped,
     * so their ciphers (native OpenSSL contexts with the OpenSSL backend) can be freed. Owning
     * thread; the session must not be used afterwards.
     */
    public void close() {
        sendFactory.close();
        receiveFactory.close();
        rtpSend.clear();
        rtpReceive.clear();
        rtcpSend.clear();
        rtcpReceive.clear();
    }

    private int result(SrtpErrorStatus status, int off) {
        switch (status) {
            case OK:
                // jitsi-srtp moves the offset only for cryptex (RFC 9335), which we do not enable.
                if (packet.getOffset() != off) {
                    otherFailures++;
                    return -1;
                }
                return packet.getLength();
            case AUTH_FAIL:
                authFailures++;
                return -1;
            case REPLAY_FAIL:
            case REPLAY_OLD:
                replayFailures++;
                return -1;
            default:
                otherFailures++;
                return -1;
        }
    }

    /** Length covers the fixed header and the version is 2 (RFC 3550 §5.1, §6.4.1). */
    private static boolean isRtpOrRtcp(byte[] buf, int off, int len, int minLength) {
        return buf != null && off >= 0 && len >= minLength && off + len <= buf.length
                && (buf[off] & VERSION_MASK) == VERSION_2;
    }

    /**
     * Header length with CSRCs and the extension (RFC 3550 §5.3.1), or -1 if it overruns the
     * packet: jitsi-srtp trusts these fields when it picks what to encrypt. (On receive it checks
     * them itself, after the tag.)
     */
    private static int rtpHeaderLength(byte[] buf, int off, int len) {
        int length = RTP_FIXED_HEADER_LENGTH + 4 * (buf[off] & CSRC_COUNT_MASK);
        if ((buf[off] & EXTENSION_BIT) != 0) {
            if (length + 4 > len) {
                return -1;
            }
            length += 4 + 4 * ((buf[off + length + 2] & 0xFF) << 8 | (buf[off + length + 3] & 0xFF));
        }
        return length <= len ? length : -1;
    }

    private static int readInt(byte[] buf, int off) {
        return (buf[off] & 0xFF) << 24 | (buf[off + 1] & 0xFF) << 16 | (buf[off + 2] & 0xFF) << 8 | (buf[off + 3] & 0xFF);
    }
}
