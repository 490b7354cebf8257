package dev.relay.signaling.sdp;

import java.util.Locale;
import java.util.Map;

/**
 * Picks the codec the relay takes from one offered m-section: the offerer's most preferred
 * payload type (the m-line's order, RFC 8866 §5.14, RFC 8829 §5.3.1) among what the relay can
 * forward, or says why there is none. Pure: reads only the m-section.
 *
 * <p>What the relay forwards (docs/interop.md "Codecs"): Opus; VP8; VP9 profile 0 or 2 (the
 * {@code profile-id} parameter, absent meaning 0); AV1 profile 0 (Main, absent meaning 0); H.264
 * with {@code packetization-mode=1} (RFC 6184 §6.3: mode 0 carries one NAL unit per packet, which
 * browsers send for interop only) in the Constrained Baseline, Baseline, Main or High profile
 * (RFC 6184 §8.1 {@code profile-level-id}, absent meaning Baseline). Subscribers get the
 * publisher's fmtp unchanged, so a profile the relay accepts here is one a subscriber must decode.
 *
 * @param payloadType the offerer's payload type for the chosen codec, or -1 if none
 * @param name        the codec as the relay names it: {@code opus}, {@code VP8}, {@code VP9},
 *                    {@code H264}, {@code AV1}; null if none
 * @param fmtp        the chosen payload type's fmtp parameters ("" if none)
 * @param reason      why nothing was chosen; null if a codec was
 */
public record CodecChoice(int payloadType, String name, String fmtp, String reason) {
    private static final int H264_BASELINE = 0x42;
    private static final int H264_MAIN = 0x4D;
    private static final int H264_HIGH = 0x64;

    public boolean chosen() {
        return name != null;
    }

    /** The first payload type of {@code m} the relay forwards, in the offerer's order. */
    public static CodecChoice of(MediaDescription m) {
        String kind = m.kind();
        StringBuilder skipped = new StringBuilder();
        for (Map.Entry<Integer, String> e : m.rtpmaps().entrySet()) {
            int pt = e.getKey();
            String encoding = e.getValue();
            int slash = encoding.indexOf('/');
            String offered = (slash < 0 ? encoding : encoding.substring(0, slash)).toUpperCase(Locale.ROOT);
            String fmtp = m.fmtp(pt);
            String name = forwardable(kind, offered, fmtp);
            if (name != null) {
                return new CodecChoice(pt, name, fmtp, null);
            }
            if (isMediaCodec(offered) && skipped.length() < 200) {
                skipped.append(skipped.length() == 0 ? "" : ", ").append(offered)
                        .append(fmtp.isEmpty() ? "" : " (" + fmtp + ")");
            }
        }
        String wanted = kind.equals("audio") ? "opus" : "VP8, VP9 (profile 0 or 2), H.264 (packetization-mode=1; "
                + "Constrained Baseline, Baseline, Main or High) or AV1 (profile 0)";
        return new CodecChoice(-1, null, "", "no codec the relay forwards: it takes " + wanted
                + (skipped.length() == 0 ? "" : "; offered: " + skipped));
    }

    /** The relay's name for a codec it forwards, or null. */
    private static String forwardable(String kind, String encoding, String fmtp) {
        if (kind.equals("audio")) {
            return encoding.equals("OPUS") ? "opus" : null;
        }
        if (!kind.equals("video")) {
            return null;
        }
        return switch (encoding) {
            case "VP8" -> "VP8";
            case "VP9" -> isOneOf(parameter(fmtp, "profile-id"), "0", "2") ? "VP9" : null;
            case "AV1" -> isOneOf(parameter(fmtp, "profile"), "0") ? "AV1" : null;
            case "H264" -> h264Forwardable(fmtp) ? "H264" : null;
            default -> null;
        };
    }

    private static boolean h264Forwardable(String fmtp) {
        if (!"1".equals(parameter(fmtp, "packetization-mode"))) {
            return false;
        }
        String profileLevelId = parameter(fmtp, "profile-level-id");
        if (profileLevelId == null) {
            return true; // RFC 6184 §8.1: Baseline when absent
        }
        if (profileLevelId.length() != 6) {
            return false;
        }
        int profileIdc;
        try {
            profileIdc = Integer.parseInt(profileLevelId.substring(0, 2), 16);
            Integer.parseInt(profileLevelId.substring(2), 16);
        } catch (NumberFormatException e) {
            return false;
        }
        return profileIdc == H264_BASELINE || profileIdc == H264_MAIN || profileIdc == H264_HIGH;
    }

    /** RTX, RED, FEC and comfort noise are not media codecs: left out of the "offered" list. */
    private static boolean isMediaCodec(String encoding) {
        return switch (encoding) {
            case "RTX", "RED", "ULPFEC", "FLEXFEC-03", "CN", "TELEPHONE-EVENT" -> false;
            default -> true;
        };
    }

    private static boolean isOneOf(String value, String... allowed) {
        String v = value == null ? "0" : value;
        for (String a : allowed) {
            if (a.equals(v)) {
                return true;
            }
        }
        return false;
    }

    /** The value of {@code key} in a {@code k=v;k=v} fmtp line (RFC 8866 §6.15), or null. */
    static String parameter(String fmtp, String key) {
        for (String pair : fmtp.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equalsIgnoreCase(key)) {
                return pair.substring(eq + 1).trim();
            }
        }
        return null;
    }
}
