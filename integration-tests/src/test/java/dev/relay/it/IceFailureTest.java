package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.signaling.RelayConfig;
import dev.relay.signaling.RelayServer;
import dev.relay.signaling.events.EventsConfig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A participant whose ICE path dies while its WebSocket stays open is removed with reason
 * {@code ice_failed}: a Java client joins, publishes an audio offer and answers like a browser's
 * ICE agent with valid STUN binding requests on the relay's UDP port, then goes quiet. After the
 * (shortened) ICE timeout the relay sends it {@code error ice_failed}, closes the socket, and emits
 * {@code participant.left} with that reason and {@code room.closed}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IceFailureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPLY = Duration.ofSeconds(2);
    private static final Duration ICE_TIMEOUT = Duration.ofSeconds(2);
    static final String CLIENT_UFRAG = "2swx";
    static final String OFFER = String.join("\r\n",
            "v=0",
            "o=- 7404386568621216862 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0",
            "a=msid-semantic: WMS s1",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "c=IN IP4 0.0.0.0",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:" + CLIENT_UFRAG,
            "a=ice-pwd:0/8owlkb6sboX1t9zq69wVMu",
            "a=fingerprint:sha-256 D0:56:99:1D:51:61:E1:82:13:83:DF:85:29:C7:D6:19:99:92:05:83:DF:EB:41:B4:2B:5B:01:F0:63:0B:37:CF",
            "a=setup:actpass",
            "a=mid:0",
            "a=sendonly",
            "a=msid:s1 t1",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=fmtp:111 minptime=10;useinbandfec=1",
            "a=ssrc:3405982569 cname:8qH4h5IDV352Dj03",
            "a=ssrc:3405982569 msid:s1 t1",
            "");

    @TempDir
    Path dir;

    private RelayServer relay;
    private SignalingClient client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void shouldRemoveAParticipantWhoseIceChecksStop() throws Exception {
        Path events = dir.resolve("events.jsonl");
        relay = RelayServer.start(RelayConfig.defaults()
                .withHttpPort(0)
                .withMediaPort(0)
                .withBindAddress("127.0.0.1")
                .withIceTimeout(ICE_TIMEOUT)
                .withEvents(EventsConfig.defaults().withNodeId("ice-node").withJsonLinesFile(events)
                        .withQualityInterval(Duration.ZERO)));
        String room = Relays.uniqueRoom("ice");
        client = SignalingClient.connect(Relays.webSocket(relay), REPLY);
        client.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        String participantId = client.next(m -> m.get("type").asText().equals("joined"), "joined", REPLY)
                .get("participantId").asText();
        client.send(JSON.createObjectNode().put("type", "publish").put("sdp", OFFER).toString());
        String answer = client.next(m -> m.get("type").asText().equals("publishAnswer"), "publishAnswer", REPLY)
                .get("sdp").asText();
        String relayUfrag = attribute(answer, "ice-ufrag");
        String relayPwd = attribute(answer, "ice-pwd");

        // The relay times its last check from when it processed it, which is after we send it and
        // before its response reaches us: reading the clock just before the last send makes
        // quietSince a true lower bound of the relay's own, however slowly a loaded machine answers.
        long quietSince = 0;
        try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udp.setSoTimeout(5000);
            for (int i = 0; i < 3; i++) {
                byte[] request = bindingRequest(relayUfrag + ":" + CLIENT_UFRAG, relayPwd);
                quietSince = System.nanoTime();
                udp.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(),
                        relay.mediaPort()));
                DatagramPacket response = new DatagramPacket(new byte[1500], 1500);
                udp.receive(response);
                assertEquals(0x0101, ByteBuffer.wrap(response.getData()).getShort() & 0xFFFF,
                        "binding success response: the relay validated our check");
            }
        }

        JsonNode error = client.next(m -> m.get("type").asText().equals("error"), "error", Duration.ofSeconds(10));
        long removedAfterMs = (System.nanoTime() - quietSince) / 1_000_000;
        assertEquals("ice_failed", error.get("code").asText());
        assertTrue(removedAfterMs >= ICE_TIMEOUT.toMillis(), "not before the timeout: " + removedAfterMs + " ms");
        System.out.printf("ice: removed %d ms after the last check (timeout %d ms)%n", removedAfterMs,
                ICE_TIMEOUT.toMillis());

        List<JsonNode> lines = awaitLines(events, l -> l.stream().anyMatch(e -> e.get("type").asText()
                .equals("dev.relay.room.closed")));
        List<String> types = lines.stream().map(e -> e.get("type").asText()).toList();
        assertEquals(List.of("dev.relay.room.created", "dev.relay.participant.joined",
                "dev.relay.track.published", "dev.relay.track.unpublished", "dev.relay.participant.left",
                "dev.relay.room.closed"), types);
        JsonNode left = lines.get(4).get("data");
        assertEquals(participantId, left.get("participantId").asText());
        assertEquals("ice_failed", left.get("reason").asText());
    }

    private static List<JsonNode> awaitLines(Path file, java.util.function.Predicate<List<JsonNode>> done)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            List<JsonNode> events = new ArrayList<>();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    events.add(JSON.readTree(line));
                }
            }
            if (done.test(events) || System.nanoTime() > deadline) {
                return events;
            }
            Thread.sleep(50);
        }
    }

    static String attribute(String sdp, String name) {
        Matcher m = Pattern.compile("a=" + name + ":(\\S+)").matcher(sdp);
        assertTrue(m.find(), "no a=" + name + " in " + sdp);
        return m.group(1);
    }

    /**
     * A STUN Binding request as a controlling ICE agent sends it (RFC 8445 §7.1.2): USERNAME,
     * PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY (RFC 8489 §14.5), FINGERPRINT (§14.7).
     */
    static byte[] bindingRequest(String username, String password) throws Exception {
        byte[] user = username.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(200);
        buf.putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442);
        byte[] transactionId = new byte[12];
        ThreadLocalRandom.current().nextBytes(transactionId);
        buf.put(transactionId);
        buf.putShort((short) 0x0006).putShort((short) user.length).put(user);
        while (buf.position() % 4 != 0) {
            buf.put((byte) 0);
        }
        buf.putShort((short) 0x0024).putShort((short) 4).putInt(0x6E7F1EFF);
        buf.putShort((short) 0x802A).putShort((short) 8).putLong(ThreadLocalRandom.current().nextLong());
        buf.putShort((short) 0x0025).putShort((short) 0);
        // MESSAGE-INTEGRITY covers the message up to itself, with the length field counting it.
        int integrityAt = buf.position();
        buf.putShort(2, (short) (integrityAt - 20 + 24));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        mac.update(buf.array(), 0, integrityAt);
        buf.putShort((short) 0x0008).putShort((short) 20).put(mac.doFinal());
        int fingerprintAt = buf.position();
        buf.putShort(2, (short) (fingerprintAt - 20 + 8));
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 0, fingerprintAt);
        buf.putShort((short) 0x8028).putShort((short) 4).putInt((int) (crc.getValue() ^ 0x5354554EL));
        byte[] out = new byte[buf.position()];
        System.arraycopy(buf.array(), 0, out, 0, out.length);
        return out;
    }
}
