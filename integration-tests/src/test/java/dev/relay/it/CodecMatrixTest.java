package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chromium to Chromium through the relay with each video codec it forwards (docs/interop.md):
 * the publisher puts the codec first with {@code setCodecPreferences} ({@code ?videoCodec=} in
 * the web client), the relay takes the offerer's first choice, and the viewer decodes that
 * codec: its inbound video reports the codec's mimeType and more than 30 decoded frames.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CodecMatrixTest extends LoopbackChromiumTest {
    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(20);
    private static final int ENOUGH_FRAMES = 30;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"VP8", "VP9", "H264", "AV1"})
    void shouldForwardThePublishersPreferredCodec(String codec) throws IOException {
        String room = Relays.uniqueRoom("codec-" + codec.toLowerCase());
        ChromiumPeer publisher = launch("publisher-" + codec);
        ChromiumPeer viewer = launch("viewer");
        publisher.open(httpBase, room, codec.toLowerCase());
        publisher.awaitReady(READY);
        assertTrue(publisher.logEntries("codec-preference").stream()
                        .anyMatch(e -> codec.equalsIgnoreCase(String.valueOf(((Map<?, ?>) e).get("codec")))),
                "the publisher's Chromium offers " + codec + " first");
        assertTrue(publisher.logEntries("publish-rejected").isEmpty(), "nothing rejected by the relay");

        viewer.open(httpBase, room);
        viewer.awaitReady(READY);
        String from = publisher.participantId();
        PeerStats stats = viewer.awaitStats("more than " + ENOUGH_FRAMES + " decoded " + codec + " frames", MEDIA,
                s -> s.framesDecodedFrom(from) > ENOUGH_FRAMES && s.audioPacketsFrom(from) > 0);
        assertEquals("video/" + codec, stats.videoCodecFrom(from), "the codec the viewer decodes");
        System.out.printf("codec %s: viewer decoding %d frames %d ms after its join (%s)%n", codec,
                stats.framesDecodedFrom(from), Math.round(stats.sinceJoinMs()), firstFrame(viewer, from));
    }

    private static String firstFrame(ChromiumPeer at, String participantId) {
        for (Object o : at.logEntries("first-frame")) {
            Map<?, ?> entry = (Map<?, ?>) o;
            if (participantId.equals(entry.get("participantId")) && entry.get("sinceJoinMs") != null) {
                return "first frame rendered " + entry.get("sinceJoinMs") + " ms after join";
            }
        }
        return "first frame not logged";
    }
}
