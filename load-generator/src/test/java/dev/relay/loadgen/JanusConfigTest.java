package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The configuration folder a run gives Janus: VideoRoom and HTTP only, ICE on the veth only. */
class JanusConfigTest {
    private static final JanusConfig CONFIG = new JanusConfig("/tmp/cfg", "/usr/lib/janus/plugins",
            "/usr/lib/janus/transports", "/tmp/cfg/none",
            List.of("libjanus_audiobridge.so", "libjanus_audiobridge.so.1", "libjanus_videoroom.so",
                    "libjanus_videoroom.so.1.1.2", "libjanus_echotest.so"),
            List.of("libjanus_http.so", "libjanus_websockets.so", "libjanus_pfunix.so.1"),
            "198.18.7.2", 8088, "lg1x0b", 3, 0);

    @Test
    void shouldWriteTheCoreTheVideoRoomAndTheHttpTransport() {
        Map<String, String> files = CONFIG.files();
        assertEquals(List.of("janus.jcfg", "janus.plugin.videoroom.jcfg", "janus.transport.http.jcfg"),
                List.copyOf(files.keySet()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "configs folder|configs_folder = \"/tmp/cfg\"",
        "no event handlers|events_folder = \"/tmp/cfg/none\"",
        "no loggers|loggers_folder = \"/tmp/cfg/none\"",
        "low logging|debug_level = 3",
        "full ICE|ice_lite = false",
        "no IPv6 candidates|ipv6 = false",
        "candidates on the veth only|ice_enforce_list = \"lg1x0b\"",
        "candidates in the SDP|full_trickle = false",
        "other plugins off|disable = \"libjanus_audiobridge.so,libjanus_echotest.so\"",
        "other transports off|disable = \"libjanus_websockets.so\""})
    void shouldSetInTheCore(String what, String line) {
        assertTrue(CONFIG.files().get("janus.jcfg").contains("\t" + line + "\n"), what);
    }

    @Test
    void shouldServeTheApiOnTheNamespaceAddressOnly() {
        String http = CONFIG.files().get("janus.transport.http.jcfg");
        assertTrue(http.contains("\tip = \"198.18.7.2\"\n"));
        assertTrue(http.contains("\tport = 8088\n"));
        assertTrue(http.contains("\tbase_path = \"/janus\"\n"));
        assertTrue(http.contains("\tadmin_http = false\n"));
    }

    @Test
    void shouldKeepTheWantedModuleAndVersionedNamesOutOfTheDisableList() {
        List<String> off = JanusConfig.allBut(List.of("a.so", "a.so.1", "libjanus_videoroom.so", "b.so"),
                JanusConfig.VIDEOROOM_PLUGIN);
        assertEquals(List.of("a.so", "b.so"), off);
        assertFalse(off.contains(JanusConfig.VIDEOROOM_PLUGIN));
    }

    @Test
    void shouldShareEventLoopsOnlyWhenAsked() {
        assertFalse(CONFIG.files().get("janus.jcfg").contains("event_loops"), "Janus's default: a thread per handle");
        JanusConfig two = new JanusConfig("/c", "/p", "/t", "/n", List.of(), List.of(), "198.18.7.2", 8088, "x", 3, 2);
        assertTrue(two.files().get("janus.jcfg").contains("\tevent_loops = 2\n"));
    }

    @Test
    void shouldEscapeLibconfigStrings() {
        assertEquals("\"a\\\"b\\\\c\"", JanusConfig.quote("a\"b\\c"));
    }
}
