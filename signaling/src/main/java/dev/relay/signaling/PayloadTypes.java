package dev.relay.signaling;

import java.util.HashMap;
import java.util.Map;

/**
 * The payload types of one subscribe PeerConnection. Its m-sections share one BUNDLE transport,
 * where a payload type must mean one codec configuration in every section (RFC 8843 §9.1.2):
 * two publishers' H.264 with different {@code profile-level-id} get two payload types. Each
 * codec gets the number Chromium's own offers give it when that number is free
 * (src/test/resources/sdp/offer-audio-video.sdp), else the next free dynamic one (RFC 3551 §6:
 * 96-127, then 35-63 as browsers also use). A number once given is never reused for another
 * configuration in this PeerConnection. Pure; control thread only.
 */
final class PayloadTypes {
    /** None left: more distinct codec configurations than dynamic payload types (61). */
    static final int NONE = -1;

    private final Map<String, Integer> byConfiguration = new HashMap<>();
    private final boolean[] used = new boolean[128];

    /**
     * The payload type for {@code codecName} with {@code fmtp} here, or {@link #NONE}; for RTX
     * {@code codecName} is {@code rtx} and {@code fmtp} is {@code apt=<payload type>}.
     */
    int assign(String codecName, String fmtp) {
        String configuration = codecName + " " + fmtp;
        Integer existing = byConfiguration.get(configuration);
        if (existing != null) {
            return existing;
        }
        int pt = preferred(codecName, fmtp);
        if (used[pt]) {
            pt = firstFree();
            if (pt == NONE) {
                return NONE;
            }
        }
        used[pt] = true;
        byConfiguration.put(configuration, pt);
        return pt;
    }

    private int firstFree() {
        for (int pt = 96; pt <= 127; pt++) {
            if (!used[pt]) {
                return pt;
            }
        }
        for (int pt = 35; pt <= 63; pt++) {
            if (!used[pt]) {
                return pt;
            }
        }
        return NONE;
    }

    private static int preferred(String codecName, String fmtp) {
        if (codecName.equals("rtx")) {
            // RFC 4588 §8.6: the RTX of payload type N; Chromium gives it N + 1.
            int apt = Integer.parseInt(fmtp.substring("apt=".length()));
            return Math.min(127, apt + 1);
        }
        return switch (codecName) {
            case "opus" -> 111;
            case "red" -> 63;
            case "VP9" -> fmtp.replace(" ", "").contains("profile-id=2") ? 100 : 98;
            case "H264" -> 102;
            case "AV1" -> 45;
            default -> 96;
        };
    }
}
