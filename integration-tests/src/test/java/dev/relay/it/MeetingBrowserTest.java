package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.signaling.Limits;
import dev.relay.signaling.RelayServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The web client as people use it (docs/signaling.md "mute", "publish" tracks): the join screen,
 * names on tiles, mute seen by the others and stopping that media, a shared screen as a tile of
 * its own at its resolution, and a sentence for every relay error. Screenshots of the join screen
 * and of a four-person call go to {@code target/screenshots/}, and to {@code docs/images/} with
 * {@code -Dscreenshots.update=true}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeetingBrowserTest extends LoopbackChromiumTest {
    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(30);
    private static final List<String> WINDOW = List.of("--window-size=1280,860");
    /** Chromium picks the whole (fake) screen for getDisplayMedia without a picker (RUNBOOK "Chromium"). */
    private static final List<String> SCREEN = List.of("--window-size=1280,860",
            "--auto-select-desktop-capture-source=Entire screen", "--enable-usermedia-screen-capturing");

    @Test
    void shouldJoinFromTheJoinScreenWithTheChosenName() throws IOException {
        String room = Relays.uniqueRoom("joinscreen");
        ChromiumPeer alice = launch("alice", WINDOW);
        alice.openQuery(httpBase, "");
        awaitTrue(alice, "the join screen with a camera preview", () -> Boolean.TRUE.equals(alice.script(
                "const f = document.getElementById('join-form'); const v = document.getElementById('preview');"
                        + "return !f.hidden && v.videoWidth > 0 && document.getElementById('camera-select').options.length > 0;")));
        alice.type("name", "Alice Liddell");
        alice.type("room", room);
        screenshot(alice, "join-screen");
        alice.click("join");
        String a = alice.awaitReady(READY);
        String url = String.valueOf(alice.script("return location.search;"));
        assertTrue(url.contains("room=" + room), "the address names the room, so the link rejoins it: " + url);

        ChromiumPeer bob = launch("bob", WINDOW);
        bob.open(httpBase, room);
        bob.awaitReady(READY);
        bob.awaitStats("alice's video", MEDIA, s -> s.framesDecodedFrom(a) > 10);
        awaitTrue(bob, "alice's tile named as she typed it", () -> "Alice Liddell".equals(bob.script(
                "const t = document.querySelector('[data-participant-id=\"' + arguments[0] + '\"] .name');"
                        + "return t && t.textContent;", a)));
    }

    /**
     * Muting the microphone, then the camera: the other side shows it (trackMuted) and receives no
     * more of that media; unmuting brings it back.
     */
    @Test
    void shouldShowMuteOnTheOtherSideAndStopThatMedia() throws IOException {
        String room = Relays.uniqueRoom("mute");
        ChromiumPeer alice = launch("alice");
        ChromiumPeer bob = launch("bob");
        alice.open(httpBase, room);
        bob.open(httpBase, room);
        String a = alice.awaitReady(READY);
        bob.awaitReady(READY);
        bob.awaitStats("alice's audio and video", MEDIA,
                s -> s.framesDecodedFrom(a) > 10 && s.audioPacketsFrom(a) > 50);

        for (String kind : List.of("audio", "video")) {
            alice.click(kind.equals("audio") ? "mic" : "cam"); // the page's own buttons
            awaitTrue(bob, "alice's " + kind + " shown muted", () -> mutedAt(bob, a, kind));
            // Packets already on the way may still land: let them, then nothing more may come.
            ChromiumPeer.sleep(Duration.ofMillis(1500));
            long before = packets(bob.stats(), a, kind);
            ChromiumPeer.sleep(Duration.ofSeconds(3));
            long after = packets(bob.stats(), a, kind);
            System.out.printf("mute: alice's %s muted, bob received %d -> %d packets over 3 s%n", kind, before, after);
            assertTrue(after - before <= 3, "no " + kind + " flows while muted: " + before + " -> " + after);
        }
        assertTrue(Boolean.TRUE.equals(bob.script("const t = document.querySelector('[data-participant-id=\"'"
                + " + arguments[0] + '\"]'); return t.classList.contains('video-muted') && !t.querySelector('.mic-off').hidden;",
                a)), "the tile shows the camera off and the microphone muted");

        for (String kind : List.of("audio", "video")) {
            alice.click(kind.equals("audio") ? "mic" : "cam");
            awaitTrue(bob, "alice's " + kind + " shown unmuted", () -> !mutedAt(bob, a, kind));
        }
        long frames = bob.stats().framesDecodedFrom(a);
        long audio = bob.stats().audioPacketsFrom(a);
        bob.awaitStats("alice's media again after unmute", MEDIA,
                s -> s.framesDecodedFrom(a) > frames + 30 && s.audioPacketsFrom(a) > audio + 100);
    }

    /** A shared screen arrives as a second video, in a tile of its own, at the resolution it is captured at. */
    @Test
    void shouldShowAScreenShareAsATileAtItsResolution() throws IOException {
        String room = Relays.uniqueRoom("screen");
        ChromiumPeer alice = launch("alice", SCREEN);
        ChromiumPeer bob = launch("bob", WINDOW);
        alice.open(httpBase, room);
        bob.open(httpBase, room);
        String a = alice.awaitReady(READY);
        bob.awaitReady(READY);
        bob.awaitStats("alice's camera", MEDIA, s -> s.framesDecodedFrom(a) > 10);

        alice.click("share");
        awaitTrue(alice, "the screen capture started", () -> Boolean.TRUE.equals(alice.script(
                "return document.getElementById('local-screen-video').videoWidth > 0;")));
        // The size of the frames captured, as the sharer's own preview shows them (getSettings()
        // may name the size asked for before the first frame).
        @SuppressWarnings("unchecked")
        List<Number> size = (List<Number>) alice.script("const v = document.getElementById('local-screen-video');"
                + "return [v.videoWidth, v.videoHeight];");
        long width = size.get(0).longValue();
        long height = size.get(1).longValue();
        System.out.printf("screen share: captured %d x %d (settings said %s)%n", width, height,
                alice.logEntries("screen-share"));

        awaitTrue(bob, () -> "a screen tile of alice's at " + width + " x " + height + "; screens: "
                + bob.script("return JSON.stringify(window.relay.screens());"), () -> {
            Object screens = bob.script("return window.relay.screens();");
            return screens instanceof List<?> list && list.stream().anyMatch(o -> o instanceof Map<?, ?> m
                    && a.equals(m.get("participantId")) && ((Number) m.get("width")).longValue() == width
                    && ((Number) m.get("height")).longValue() == height);
        });
        assertEquals(List.of(a), bob.tiles(), "the camera keeps its tile; the screen is not a participant");
        assertTrue(bob.logEntries("track-published").stream().anyMatch(e -> "screen".equals(e.get("source"))),
                "the relay said which track is the screen: " + bob.logEntries("track-published"));
        screenshot(bob, "screen-share");

        alice.click("share"); // stop sharing
        awaitTrue(bob, "the screen tile gone", () -> Boolean.TRUE.equals(
                bob.script("return window.relay.screens().length === 0;")));
        long frames = bob.stats().framesDecodedFrom(a);
        bob.awaitStats("alice's camera still decoded", MEDIA, s -> s.framesDecodedFrom(a) > frames + 30);
    }

    /**
     * The signaling socket drops (no {@code leave}): the page rejoins the room by itself, with the
     * same camera and microphone and a new participantId, and the others see the new one.
     */
    @Test
    void shouldRejoinAfterTheSignalingSocketDrops() throws IOException {
        String room = Relays.uniqueRoom("rejoin");
        ChromiumPeer alice = launch("alice");
        ChromiumPeer bob = launch("bob");
        alice.open(httpBase, room);
        bob.open(httpBase, room);
        String a = alice.awaitReady(READY);
        String b = bob.awaitReady(READY);
        bob.awaitStats("alice's video", MEDIA, s -> s.framesDecodedFrom(a) > 10);

        alice.script("window.relay.dropSignaling();");
        awaitTrue(alice, "a rejoin with a new participantId", () -> {
            Object id = alice.script("return window.relay.participantId;");
            return id != null && !a.equals(id) && !alice.logEntries("rejoined").isEmpty();
        });
        String again = (String) alice.script("return window.relay.participantId;");
        System.out.printf("rejoin: %s -> %s, %s%n", a, again, alice.logEntries("rejoin-scheduled"));
        assertEquals(List.of(again), bob.awaitTiles("alice's new tile only", MEDIA,
                tiles -> tiles.equals(List.of(again))));
        bob.awaitStats("alice's video after her rejoin", MEDIA, s -> s.framesDecodedFrom(again) > 30);
        alice.awaitStats("bob's video after the rejoin", MEDIA, s -> s.bothConnected() && s.framesDecodedFrom(b) > 30);
        assertEquals(List.of(b), alice.tiles(), "alice shows bob once");
    }

    /** The codes of the table in docs/signaling.md "Errors", in its order. */
    private static List<String> documentedErrorCodes() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "signaling.md"));
        String section = doc.substring(doc.indexOf("\n## Errors"));
        section = section.substring(0, section.indexOf("\n## ", 1));
        List<String> codes = new ArrayList<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z_]+)` \\|").matcher(section);
        while (row.find()) {
            codes.add(row.group(1));
        }
        assertTrue(codes.size() >= 14, "docs/signaling.md lists its error codes: " + codes);
        return codes;
    }

    /** Every error code docs/signaling.md lists has a sentence, and a real one renders in the banner. */
    @Test
    void shouldRenderAClearMessageForEveryErrorCode() throws Exception {
        ChromiumPeer alice = launch("alice");
        String room = Relays.uniqueRoom("errors");
        alice.open(httpBase, room);
        alice.awaitReady(READY);
        @SuppressWarnings("unchecked")
        List<String> codes = (List<String>) alice.script("return window.relay.errorCodes;");
        assertEquals(documentedErrorCodes(), codes, "the codes of docs/signaling.md \"Errors\"");
        for (String code : codes) {
            String text = (String) alice.script("return window.relay.describeError({code: arguments[0], message: 'x'});", code);
            assertTrue(text != null && text.length() > 20 && !text.startsWith(code), code + ": " + text);
        }
        for (String reason : List.of("missing", "oversized", "malformed", "bad_algorithm", "unknown_key", "bad_signature",
                "expired", "not_yet_valid", "no_join_grant", "wrong_room")) {
            String text = (String) alice.script("return window.relay.describeError({code: 'unauthorized', reason: arguments[0]});", reason);
            assertNotEquals(alice.script("return window.relay.describeError({code: 'unauthorized'});"), text,
                    "a sentence of its own for " + reason);
        }
        alice.script("window.relay.showRelayError({code: 'draining', message: 'relay shutting down'});");
        assertEquals("This relay is shutting down; join again in a moment. (relay shutting down)", errorBanner(alice));

        // A real refusal: a relay that takes one participant per room.
        try (RelayServer small = RelayServer.start(Relays.loopbackConfig()
                .withLimits(Limits.defaults().withParticipantsPerRoom(1)))) {
            ChromiumPeer first = launch("first");
            ChromiumPeer second = launch("second", WINDOW);
            first.open(Relays.httpBase(small), "full");
            first.awaitReady(READY);
            second.open(Relays.httpBase(small), "full");
            awaitTrue(second, "the room-full message", () -> errorBanner(second).startsWith("This room is full."));
            System.out.println("error banner: " + errorBanner(second));
            screenshot(second, "error-room-full");
        }
    }

    /** Four people in a call, one with the microphone muted and the stats overlay on: the README's picture. */
    @Test
    void shouldHoldAFourPersonCall() throws IOException {
        String room = Relays.uniqueRoom("four");
        List<String> names = List.of("Ada", "Grace", "Linus", "Margaret");
        List<ChromiumPeer> people = new java.util.ArrayList<>();
        for (String name : names) {
            ChromiumPeer peer = launch(name, WINDOW);
            peer.open(httpBase, room);
            people.add(peer);
        }
        List<String> ids = new java.util.ArrayList<>();
        for (ChromiumPeer peer : people) {
            ids.add(peer.awaitReady(READY));
        }
        for (ChromiumPeer peer : people) {
            for (String id : ids) {
                if (!id.equals(peer.participantId())) {
                    peer.awaitStats("video from " + id, MEDIA, s -> s.framesDecodedFrom(id) > 10);
                }
            }
        }
        people.get(2).await("await window.relay.setMuted('audio', true);");
        ChromiumPeer viewer = people.get(0);
        awaitTrue(viewer, "Linus shown muted", () -> mutedAt(viewer, ids.get(2), "audio"));
        viewer.click("stats-toggle");
        awaitTrue(viewer, "a quality level on every tile", () -> Boolean.TRUE.equals(viewer.script(
                "const q = window.relay.quality(); return window.relay.tiles().every(id => q[id] && q[id].level);")));
        Object levels = viewer.script("const q = window.relay.quality(); return window.relay.tiles().map(id => q[id].level);");
        System.out.println("four-person call: quality levels at Ada's: " + levels);
        assertFalse(String.valueOf(levels).contains("lost"), "every connection delivers media: " + levels);
        screenshot(viewer, "call-4");
    }

    private static boolean mutedAt(ChromiumPeer peer, String participantId, String kind) {
        return Boolean.TRUE.equals(peer.script(
                "const m = window.relay.remoteMuted()[arguments[0]]; return !!m && m[arguments[1]] === true;",
                participantId, kind));
    }

    private static long packets(PeerStats stats, String from, String kind) {
        return stats.inbound().stream().filter(i -> i.participantId().equals(from) && i.kind().equals(kind))
                .mapToLong(PeerStats.Inbound::packetsReceived).sum();
    }

    private static String errorBanner(ChromiumPeer peer) {
        return String.valueOf(peer.script("const e = document.getElementById('error'); return e.hidden ? '' : e.textContent;"));
    }

    /** Polls {@code condition} every 200 ms for up to 30 s. */
    private static void awaitTrue(ChromiumPeer peer, String what, Supplier<Boolean> condition) {
        awaitTrue(peer, () -> what, condition);
    }

    private static void awaitTrue(ChromiumPeer peer, Supplier<String> what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + MEDIA.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(peer.label + ": " + what.get() + " not within " + MEDIA.toSeconds() + " s; status: "
                        + peer.statusLine());
            }
            ChromiumPeer.sleep(BrowserPeer.POLL_INTERVAL);
        }
    }

    /** target/screenshots/NAME.png, and docs/images/NAME.png with -Dscreenshots.update=true. */
    static void screenshot(ChromiumPeer peer, String name) throws IOException {
        Path shot = peer.saveScreenshot(Path.of("target", "screenshots"), name);
        Path named = shot.resolveSibling(name + ".png");
        Files.move(shot, named, StandardCopyOption.REPLACE_EXISTING);
        Path docs = Path.of("..", "docs", "images");
        if (Boolean.getBoolean("screenshots.update") && Files.isDirectory(docs)) {
            Files.copy(named, docs.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println("screenshot: " + named.toAbsolutePath());
    }
}
