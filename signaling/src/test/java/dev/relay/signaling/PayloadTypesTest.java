package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PayloadTypesTest {
    private final PayloadTypes types = new PayloadTypes();

    @Test
    void shouldGiveEachCodecChromiumsNumber() {
        assertEquals(111, types.assign("opus", "minptime=10;useinbandfec=1"));
        assertEquals(96, types.assign("VP8", ""));
        assertEquals(98, types.assign("VP9", "profile-id=0"));
        assertEquals(100, types.assign("VP9", "profile-id=2"));
        assertEquals(102, types.assign("H264", "packetization-mode=1;profile-level-id=42e01f"));
        assertEquals(45, types.assign("AV1", "level-idx=5;profile=0;tier=0"));
    }

    @Test
    void shouldKeepOneNumberPerConfigurationAndNewOnesForOtherFmtp() {
        int baseline = types.assign("H264", "packetization-mode=1;profile-level-id=42e01f");
        int high = types.assign("H264", "packetization-mode=1;profile-level-id=640c1f");

        assertEquals(102, baseline);
        assertNotEquals(baseline, high, "RFC 8843 §9.1.2: one payload type, one configuration per BUNDLE");
        assertEquals(baseline, types.assign("H264", "packetization-mode=1;profile-level-id=42e01f"));
        assertEquals(high, types.assign("H264", "packetization-mode=1;profile-level-id=640c1f"));
        // A preferred number taken by another configuration is not handed out again.
        assertNotEquals(high, types.assign("VP8", ""));
    }

    @Test
    void shouldRunOutAfterEveryDynamicNumberIsUsed() {
        Set<Integer> given = new HashSet<>();
        for (int i = 0; i < 61; i++) {
            int pt = types.assign("H264", "packetization-mode=1;profile-level-id=42e0" + String.format("%02x", i));
            assertEquals(true, (pt >= 96 && pt <= 127) || (pt >= 35 && pt <= 63), "dynamic: " + pt);
            given.add(pt);
        }
        assertEquals(61, given.size());
        assertEquals(PayloadTypes.NONE, types.assign("VP8", ""));
    }
}
