package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the relay tells clients without being asked: who is speaking ({@code activeSpeakers},
 * from the audio level each publisher sends, docs/signaling.md) and, to a simulcast publisher,
 * which layers anyone receives ({@code publishLayers}: dynacast, docs/quality.md), which the web
 * client applies so that the layers no one takes stop.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SpeakerAndDynacastBrowserTest extends LoopbackChromiumTest {
    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(20);

    @TempDir
    Path temp;

    /**
     * Chromium's fake microphone beeps; the other participant, joining once the beeping one is
     * named, captures a silent WAV file (RFC 6464 level 127). The beeping one must be named at the
     * newcomer within 1 s of its audio reaching it;
     * over the next 3 s, while the silent one's microphone stays below -60 dBov (its getStats
     * media-source energy), the silent one is never named.
     */
    @Test
    void shouldNameTheParticipantWhoseAudioIsAboveSilence() throws IOException {
        Path silence = silentWav(temp.resolve("silence.wav"));
        String room = Relays.uniqueRoom("speaker");
        ChromiumPeer speaker = launch("speaker");
        ChromiumPeer silent = launch("silent", List.of("--use-file-for-fake-audio-capture=" + silence));
        speaker.open(httpBase, room);
        String speakerId = speaker.awaitReady(READY);
        // Named while alone (the relay announces changes to who is in the room), then the silent
        // one joins: it must be told at once who is already speaking.
        long alone = System.nanoTime();
        while (!speaker.activeSpeakers().contains(speakerId)) {
            assertTrue(System.nanoTime() - alone < MEDIA.toNanos(), "the speaker, alone, is named within "
                    + MEDIA.toSeconds() + " s: " + speaker.logEntries("active-speakers"));
            ChromiumPeer.sleep(Duration.ofMillis(50));
        }
        silent.open(httpBase, room);
        String silentId = silent.awaitReady(READY);

        silent.awaitStats("the speaker's audio arriving", MEDIA, s -> s.audioPacketsFrom(speakerId) > 0);
        long audioAt = System.nanoTime();
        long namedAt = -1;
        while (System.nanoTime() - audioAt < Duration.ofSeconds(5).toNanos()) {
            if (silent.activeSpeakers().contains(speakerId)) {
                namedAt = System.nanoTime();
                break;
            }
            ChromiumPeer.sleep(Duration.ofMillis(50));
        }
        long millis = (namedAt - audioAt) / 1_000_000;
        double energyBefore = silent.stats().audioEnergy();
        int listsBefore = silent.logEntries("active-speakers").size();
        ChromiumPeer.sleep(Duration.ofSeconds(3));
        double energyAfter = silent.stats().audioEnergy();
        List<Map<String, Object>> lists = silent.logEntries("active-speakers");
        System.out.printf("active speaker: %s named %d ms after its audio arrived; lists seen by the silent one: %s;"
                        + " microphone energy: speaker %.4f, silent %.3g -> %.3g%n",
                speakerId, namedAt < 0 ? -1 : millis, lists, speaker.stats().audioEnergy(), energyBefore, energyAfter);
        assertTrue(namedAt >= 0 && millis <= 1000,
                "the beeping participant is named in activeSpeakers within 1 s (took " + millis + " ms)");
        assertTrue(speaker.activeSpeakers().contains(speakerId), "the speaker hears it too");
        // totalAudioEnergy sums level^2 x seconds (level 1.0 = 0 dBov): the window's mean level.
        double windowDbov = 10 * Math.log10(Math.max(1e-12, (energyAfter - energyBefore) / 3.0));
        assertTrue(windowDbov < -60, "the silent participant's microphone stayed below -60 dBov for 3 s, well under"
                + " what counts as speech (docs/quality.md); it was " + windowDbov + " dBov");
        assertFalse(silent.activeSpeakers().contains(silentId), "the silent participant is not named now");
        for (Map<String, Object> entry : lists.subList(listsBefore, lists.size())) {
            assertFalse(List.of(String.valueOf(entry.get("speakers")).split(" ")).contains(silentId),
                    "the silent participant is never named while its microphone is silent: " + entry);
        }
    }

    /**
     * With only a low-layer viewer, the publisher stops its top layer (its outbound-rtp for rid f
     * stops growing) and starts it again when a viewer that takes the top layer joins.
     */
    @Test
    void shouldStopTheTopLayerNoOneTakesAndResumeItForAHighViewer() throws IOException {
        String room = Relays.uniqueRoom("dynacast");
        ChromiumPeer publisher = launch("publisher");
        ChromiumPeer low = launch("low");
        publisher.openWith(httpBase, room, "simulcast=1");
        publisher.awaitReady(READY);
        low.openWith(httpBase, room, "quality=low");
        low.awaitReady(READY);
        String from = publisher.participantId();
        low.awaitStats("the low layer decoded", MEDIA, s -> s.framesDecodedFrom(from) > 30);

        awaitLog(publisher, "the relay tells the publisher to stop h and f", "h:false f:false");
        PeerStats stopped = publisher.stats();
        ChromiumPeer.sleep(Duration.ofSeconds(2));
        PeerStats later = publisher.stats();
        System.out.printf("dynacast: over 2 s after publishLayers, f %d -> %d packets, q %d -> %d; publisher heard %s%n",
                packetsOf(stopped, "f"), packetsOf(later, "f"), packetsOf(stopped, "q"), packetsOf(later, "q"),
                publisher.logEntries("publish-layers"));
        assertTrue(packetsOf(later, "f") - packetsOf(stopped, "f") <= 2, "the top layer stopped");
        assertTrue(packetsOf(later, "q") > packetsOf(stopped, "q") + 20, "the low layer still sends");

        ChromiumPeer high = launch("high");
        high.openWith(httpBase, room, "quality=high");
        high.awaitReady(READY);
        long before = packetsOf(publisher.stats(), "f");
        PeerStats resumed = publisher.awaitStats("the top layer sending again for the high viewer", MEDIA,
                s -> packetsOf(s, "f") > before + 100);
        System.out.printf("dynacast: top layer resumed, %d -> %d packets%n", before, packetsOf(resumed, "f"));
        high.awaitStats("the high viewer decodes", MEDIA, s -> s.framesDecodedFrom(from) > 30);
    }

    /** Waits until the page has logged {@code publish-layers} with {@code active} as given. */
    private static void awaitLog(ChromiumPeer peer, String what, String active) {
        long deadline = System.nanoTime() + MEDIA.toNanos();
        while (System.nanoTime() < deadline) {
            if (peer.logEntries("publish-layers").stream().anyMatch(e -> String.valueOf(e.get("active")).endsWith(active))) {
                return;
            }
            ChromiumPeer.sleep(Duration.ofMillis(100));
        }
        throw new AssertionError(what + ": not within " + MEDIA.toSeconds() + " s; heard " + peer.logEntries("publish-layers"));
    }

    private static long packetsOf(PeerStats stats, String rid) {
        return stats.outbound().stream().filter(o -> rid.equals(o.rid())).mapToLong(PeerStats.Outbound::packetsSent)
                .sum();
    }

    /** Two seconds of 48 kHz 16-bit mono zeros: Chromium loops it as its microphone. */
    private static Path silentWav(Path file) throws IOException {
        int samples = 48_000 * 2;
        ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        header.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVE".getBytes());
        header.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(48_000)
                .putInt(48_000 * 2).putShort((short) 2).putShort((short) 16);
        header.put("data".getBytes()).putInt(samples * 2);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(header.array());
            out.write(new byte[samples * 2]);
        }
        return file;
    }
}
