package dev.relay.transport.dtls;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.relay.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsTimeoutException;

/**
 * Coverage-guided fuzzing of the DTLS records a peer sends to the relay's server side: the
 * relay's {@link ClientHelloFilter}, then Bouncy Castle's record layer, fragment reassembly and
 * handshake message parsing under the relay's {@link DtlsServerPeer} (cipher suites, use_srtp,
 * client certificate check). The handshake runs on the fuzzing thread over a scripted transport,
 * as {@link DtlsAssociation#handshake} runs it on a pool thread in the relay.
 *
 * <p>An input is a list of datagrams, each a 2-byte big-endian length then its bytes (the last
 * one takes whatever remains). Seeds in
 * {@code src/test/resources/dev/relay/transport/dtls/DtlsRecordFuzzTestInputs/serverHandshake/}:
 * Chromium 156's fragmented ClientHello ({@code src/test/resources/dtls/README.md}) and both
 * flights of a Bouncy Castle client whose certificate has {@link #SEED_CLIENT_FINGERPRINT}, so
 * mutations reach the Certificate, ClientKeyExchange and CertificateVerify parsers. To fuzz:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o -pl transport test -Dtest='DtlsRecordFuzzTest#serverHandshake' -Djazzer.max_duration=600s \
 *     -Djazzer.instrumentation_includes='dev.relay.**:org.bouncycastle.tls.**'
 * </pre>
 * Without that include Jazzer instruments only the relay's classes and mutates blind inside
 * Bouncy Castle (155 instead of ~1,500 covered edges after a minute).
 *
 * <p>Records after the handshake are not reached: they are authenticated with keys no input can
 * know, and Bouncy Castle drops a record that fails authentication (RFC 6347 §4.1.2.7).
 */
class DtlsRecordFuzzTest {
    /** SHA-256 of the client certificate that made the {@code bc-client-*} seeds. */
    private static final String SEED_CLIENT_FINGERPRINT =
            "DC:25:55:7F:16:8F:8B:B0:2A:25:70:E0:99:33:26:88:09:BF:1E:DC:5A:96:A8:2B:FA:34:AB:97:ED:3A:17:D2";
    private static final DtlsCertificate SERVER_CERTIFICATE = DtlsCertificate.createSelfSigned();
    /** A flight is at most a handful of datagrams; Bouncy Castle resends it per repeated flight. */
    private static final int MAX_DATAGRAMS_SENT_PER_RECEIVED = 8;

    @FuzzTest
    void serverHandshake(byte[] data) {
        List<byte[]> datagrams = split(data);
        ScriptedTransport transport = new ScriptedTransport();
        // A server session queues nothing before the peer's ClientHello (DtlsSession.offer).
        boolean started = false;
        for (byte[] datagram : datagrams) {
            started |= ClientHelloFilter.isClientHello(datagram, 0, datagram.length);
            if (started && datagram.length <= QueueDatagramTransport.RECEIVE_LIMIT) {
                transport.incoming.add(datagram);
            }
        }
        if (!started) {
            return;
        }
        int received = transport.incoming.size();

        HandshakeContext handshake = new HandshakeContext(DtlsSession.Role.SERVER, SERVER_CERTIFICATE,
                CertificateFingerprint.parse("sha-256", SEED_CLIENT_FINGERPRINT), SrtpProfile.DEFAULT_PREFERENCE,
                DtlsSession.DEFAULT_HANDSHAKE_TIMEOUT_MILLIS);
        try {
            new DTLSServerProtocol().accept(new DtlsServerPeer(handshake), transport);
            fail("handshake completed without the server's random in the client's Finished");
        } catch (IOException expected) {
            // What the relay reports for it (DtlsAssociation#handshake) must be derivable.
            assertNotNull(DtlsFailureDescriber.classify(expected, null, handshake));
            assertNotNull(DtlsFailureDescriber.describe(expected, null, null, handshake));
        }

        for (byte[] sent : transport.sent) {
            assertTrue(sent.length <= QueueDatagramTransport.SEND_LIMIT, "sent a datagram of " + sent.length);
        }
        assertTrue(transport.sent.size() <= MAX_DATAGRAMS_SENT_PER_RECEIVED * received,
                transport.sent.size() + " datagrams sent for " + received + " received");
    }

    private static List<byte[]> split(byte[] data) {
        List<byte[]> datagrams = new ArrayList<>();
        int at = 0;
        while (at + 2 <= data.length) {
            int length = ((data[at] & 0xFF) << 8) | (data[at + 1] & 0xFF);
            int from = at + 2;
            int to = Math.min(data.length, from + length);
            datagrams.add(Arrays.copyOfRange(data, from, to));
            at = to;
        }
        return datagrams;
    }

    /** Hands out the input's datagrams in order, then times out as the relay's deadline does. */
    private static final class ScriptedTransport implements DatagramTransport {
        final Deque<byte[]> incoming = new ArrayDeque<>();
        final List<byte[]> sent = new ArrayList<>();

        @Override
        public int getReceiveLimit() {
            return QueueDatagramTransport.RECEIVE_LIMIT;
        }

        @Override
        public int getSendLimit() {
            return QueueDatagramTransport.SEND_LIMIT;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            byte[] datagram = incoming.poll();
            if (datagram == null) {
                throw new TlsTimeoutException("no more datagrams in this input");
            }
            System.arraycopy(datagram, 0, buf, off, Math.min(len, datagram.length));
            return datagram.length;
        }

        @Override
        public void send(byte[] buf, int off, int len) {
            sent.add(Arrays.copyOfRange(buf, off, off + len));
        }

        @Override
        public void close() {
        }
    }
}
