package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The web client's pure modules (recovery.js, quality.js, sdp.js, errors.js) as tables, run in
 * Chromium by importing them from the relay that serves them: no Node, no build step, the same
 * code the page runs. The clock is passed in, so no test waits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebClientLogicTest extends LoopbackChromiumTest {
    /** One browser for the class: the tables share nothing but the page that imports them. */
    private static ChromiumPeer page;

    @BeforeEach
    void openPage() throws IOException {
        if (page == null) {
            page = ChromiumPeer.launch("logic");
            // The join screen: nothing joins, the modules are served.
            page.openQuery(httpBase, "");
        }
    }

    @AfterAll
    static void closePage() {
        if (page != null) {
            page.close();
            page = null;
        }
    }

    /** {state, ms since start} -> whether to restart now: 2 s grace when disconnected, retries 5 s apart. */
    @Test
    void shouldRestartIceAfterTheGraceAndRetryUntilConnected() {
        Object decisions = page.await(
                "const { IceRestartPolicy } = await import('/recovery.js');"
                        + "const p = new IceRestartPolicy();"
                        + "const steps = [['checking', 0], ['connected', 500], ['disconnected', 1000], ['disconnected', 2900],"
                        + " ['disconnected', 3000], ['checking', 4000], ['checking', 7900], ['checking', 8000],"
                        + " ['failed', 9000], ['connected', 9500], ['failed', 10000], ['new', 10100], ['failed', 15000]];"
                        + "return steps.map(([state, t]) => state + '@' + t + '=' + p.update(state, t));");
        assertEquals(List.of(
                "checking@0=false", // first connection: checking is normal
                "connected@500=false",
                "disconnected@1000=false", // may recover alone
                "disconnected@2900=false",
                "disconnected@3000=true", // 2 s disconnected: restart
                "checking@4000=false", // the restart's checks
                "checking@7900=false",
                "checking@8000=true", // 5 s and still not connected: again
                "failed@9000=false", // not before 5 s after the last restart
                "connected@9500=false", // recovered: the slate is clean
                "failed@10000=true", // failed: at once
                "new@10100=false",
                "failed@15000=true"), decisions);
    }

    /**
     * A negotiation caught by a session's end never settles (a closed PeerConnection aborts its
     * pending operations without settling them): after {@code restart()} the next session's
     * publish runs anyway, where it used to wait behind it for good.
     */
    @Test
    void shouldNotQueueTheNextSessionsPublishBehindOneThatNeverSettles() {
        Object order = page.await("const { Publisher } = await import('/publisher.js');"
                + "const p = new Publisher({ pc: null }, {});"
                + "const ran = [];"
                + "p.queue(() => new Promise(() => {}));" // caught by the close: never settles
                + "p.queue(async () => ran.push('behind the stuck one'));"
                + "p.restart();"
                + "await p.queue(async () => ran.push('next session'));"
                + "await new Promise((r) => setTimeout(r, 50));"
                + "return ran;");
        assertEquals(List.of("next session"), order);
    }

    @Test
    void shouldBackOffRejoinsToEightSeconds() {
        Object delays = page.await("const { rejoinDelayMs } = await import('/recovery.js');"
                + "return [0, 1, 2, 3, 4, 10].map(rejoinDelayMs);");
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 8000L, 8000L), delays);
    }

    /** {packets, lost, bytes} one second apart -> level: loss and round-trip time, and silence only when unmuted. */
    @Test
    void shouldGradeConnectionQuality() {
        Object levels = page.await(
                "const { assess } = await import('/quality.js');"
                        + "const at = (packets, lost, rttMs) => ({ packets, lost, bytes: packets * 1000, t: 2000, rttMs });"
                        + "const prev = { packets: 0, lost: 0, bytes: 0, t: 1000 };"
                        + "return [[at(100, 0, 20), true], [at(97, 3, 20), true], [at(80, 20, 20), true],"
                        + " [at(100, 0, 300), true], [at(100, 0, 600), true], [at(0, 0, 20), true], [at(0, 0, 20), false]]"
                        + ".map(([now, expect]) => { const a = assess(prev, now, expect); return a.level + ' ' + a.lossPercent + ' ' + a.bitrateKbps; });");
        assertEquals(List.of("good 0 800", "fair 3 776", "poor 20 640", "fair 0 800", "poor 0 800", "lost 0 0",
                "null 0 0"), levels);
    }

    @Test
    void shouldMapEachMidToItsParticipantAndTrack() {
        Object mids = page.await(
                "const { tracksByMid } = await import('/sdp.js');"
                        + "const sdp = 'v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n'"
                        + " + 'm=audio 9 UDP/TLS/RTP/SAVPF 111\\r\\na=mid:0\\r\\na=msid:p1 t-audio\\r\\n'"
                        + " + 'm=video 0 UDP/TLS/RTP/SAVPF 96\\r\\na=mid:1\\r\\n'"
                        + " + 'm=video 9 UDP/TLS/RTP/SAVPF 96\\r\\na=mid:2\\r\\na=msid:p2 t-screen\\r\\n';"
                        + "return [...tracksByMid(sdp)].map(([mid, t]) => mid + ' ' + t.participantId + ' ' + t.trackId);");
        assertEquals(List.of("0 p1 t-audio", "2 p2 t-screen"), mids);
    }

    @Test
    void shouldExplainLimitsAndTokenRefusalsByReason() {
        Object texts = page.await(
                "const { describeError, mayRejoinAfter } = await import('/errors.js');"
                        + "return [describeError({code: 'limit_exceeded', reason: 'participants_per_room', message: 'room r has 2'}),"
                        + " describeError({code: 'unauthorized', reason: 'expired'}),"
                        + " describeError({code: 'something_new'}),"
                        + " String(mayRejoinAfter({code: 'unauthorized'})), String(mayRejoinAfter({code: 'ice_failed'}))];");
        assertEquals(List.of("This room is full. (room r has 2)", "Your access token has expired. Ask for a new link.",
                "The relay reported an error (something_new).", "false", "true"), texts);
    }
}
