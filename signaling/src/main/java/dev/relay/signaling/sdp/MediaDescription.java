package dev.relay.signaling.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One m-section of an SDP (RFC 8866 §5.14) with the attributes WebRTC uses (RFC 8829). */
public final class MediaDescription {
    private final String kind;
    private final int port;
    private final String protocol;
    private final List<String> formats;
    private final List<String[]> attributes = new ArrayList<>();

    MediaDescription(String kind, int port, String protocol, List<String> formats) {
        this.kind = kind;
        this.port = port;
        this.protocol = protocol;
        this.formats = formats;
    }

    void addAttribute(String name, String value) {
        attributes.add(new String[] {name, value});
    }

    public String kind() {
        return kind;
    }

    public int port() {
        return port;
    }

    public String protocol() {
        return protocol;
    }

    public List<String> formats() {
        return formats;
    }

    /** The first value of attribute {@code name} ("" for a flag), or null. */
    public String attribute(String name) {
        for (String[] a : attributes) {
            if (a[0].equals(name)) {
                return a[1];
            }
        }
        return null;
    }

    public List<String> attributes(String name) {
        List<String> values = new ArrayList<>();
        for (String[] a : attributes) {
            if (a[0].equals(name)) {
                values.add(a[1]);
            }
        }
        return values;
    }

    public boolean hasAttribute(String name) {
        return attribute(name) != null;
    }

    public String mid() {
        return attribute("mid");
    }

    /** sendrecv (the default, RFC 8866 §6.7), sendonly, recvonly or inactive. */
    public String direction() {
        for (String[] a : attributes) {
            switch (a[0]) {
                case "sendrecv", "sendonly", "recvonly", "inactive" -> {
                    return a[0];
                }
                default -> { }
            }
        }
        return "sendrecv";
    }

    /** Payload type -> "encoding/clock[/channels]" from a=rtpmap, in m-line order. */
    public Map<Integer, String> rtpmaps() {
        Map<Integer, String> map = new LinkedHashMap<>();
        for (String value : attributes("rtpmap")) {
            int space = value.indexOf(' ');
            if (space > 0) {
                Integer pt = parseIntOrNull(value.substring(0, space));
                if (pt != null) {
                    map.put(pt, value.substring(space + 1).trim());
                }
            }
        }
        Map<Integer, String> ordered = new LinkedHashMap<>();
        for (String format : formats) {
            Integer pt = parseIntOrNull(format);
            if (pt != null && map.containsKey(pt)) {
                ordered.put(pt, map.get(pt));
            }
        }
        return ordered;
    }

    /** The a=fmtp parameters of one payload type, or "". */
    public String fmtp(int payloadType) {
        return perPayloadType("fmtp", payloadType).stream().findFirst().orElse("");
    }

    public List<String> rtcpFeedback(int payloadType) {
        return perPayloadType("rtcp-fb", payloadType);
    }

    /** Header extension URI -> id, from a=extmap (RFC 8285 §8). */
    public Map<String, Integer> extmaps() {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (String value : attributes("extmap")) {
            String[] parts = value.split("\\s+");
            if (parts.length >= 2) {
                String idPart = parts[0];
                int slash = idPart.indexOf('/');
                Integer id = parseIntOrNull(slash < 0 ? idPart : idPart.substring(0, slash));
                if (id != null) {
                    map.put(parts[1], id);
                }
            }
        }
        return map;
    }

    /** SSRCs of a=ssrc lines in first-seen order (RFC 5576 §4.1). */
    public List<Long> ssrcs() {
        List<Long> ssrcs = new ArrayList<>();
        for (String value : attributes("ssrc")) {
            int space = value.indexOf(' ');
            String id = space < 0 ? value : value.substring(0, space);
            try {
                long ssrc = Long.parseLong(id);
                if (ssrc >= 0 && ssrc <= 0xFFFFFFFFL && !ssrcs.contains(ssrc)) {
                    ssrcs.add(ssrc);
                }
            } catch (NumberFormatException ignored) {
                // A malformed a=ssrc line is ignored like any unknown attribute.
            }
        }
        return ssrcs;
    }

    /** The most simulcast layers taken from one m-section (Chromium sends up to 3). */
    public static final int MAX_RIDS = 4;
    /** RFC 8851 §10: rid-id = 1*(alpha-numeric / "-" / "_"); bounded here. */
    private static final int MAX_RID_LENGTH = 16;

    /**
     * The rids this m-section sends as simulcast layers (RFC 8853 §5.1 {@code a=simulcast:send},
     * each declared by an {@code a=rid:<id> send} line, RFC 8851 §4), in the order the simulcast
     * line lists them; for alternatives ({@code q,h}) the first; a paused layer ({@code ~q}) is
     * kept. Empty when the section is not a simulcast sender or declares more than
     * {@link #MAX_RIDS} layers or a malformed rid.
     */
    public List<String> sendRids() {
        String simulcast = attribute("simulcast");
        if (simulcast == null) {
            return List.of();
        }
        String[] parts = simulcast.trim().split("\\s+");
        if (parts.length < 2 || !parts[0].equals("send")) {
            return List.of();
        }
        List<String> declared = new ArrayList<>();
        for (String value : attributes("rid")) {
            String[] rid = value.trim().split("\\s+");
            if (rid.length >= 2 && rid[1].equals("send")) {
                declared.add(rid[0]);
            }
        }
        List<String> rids = new ArrayList<>();
        for (String stream : parts[1].split(";")) {
            String first = stream.split(",")[0];
            String rid = first.startsWith("~") ? first.substring(1) : first;
            if (!isRid(rid) || !declared.contains(rid) || rids.contains(rid) || rids.size() == MAX_RIDS) {
                return List.of();
            }
            rids.add(rid);
        }
        return rids;
    }

    private static boolean isRid(String rid) {
        if (rid.isEmpty() || rid.length() > MAX_RID_LENGTH) {
            return false;
        }
        for (int i = 0; i < rid.length(); i++) {
            char c = rid.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_') {
                return false;
            }
        }
        return true;
    }

    /** The payload type of the RTX stream (RFC 4588 §8.6 {@code apt}) for {@code payloadType}, or -1. */
    public int rtxPayloadType(int payloadType) {
        for (Map.Entry<Integer, String> e : rtpmaps().entrySet()) {
            if (e.getValue().toLowerCase(Locale.ROOT).startsWith("rtx/")
                    && ("apt=" + payloadType).equals(fmtp(e.getKey()).replace(" ", ""))) {
                return e.getKey();
            }
        }
        return -1;
    }

    /**
     * The payload type of redundant audio (RFC 2198 §5 {@code red}) whose every block is
     * {@code payloadType} ({@code a=fmtp:63 111/111} as browsers offer it), or -1.
     */
    public int redPayloadType(int payloadType) {
        for (Map.Entry<Integer, String> e : rtpmaps().entrySet()) {
            if (!e.getValue().toLowerCase(Locale.ROOT).startsWith("red/")) {
                continue;
            }
            String[] blocks = fmtp(e.getKey()).replace(" ", "").split("/");
            boolean all = blocks.length >= 1 && blocks.length <= 8;
            for (String block : blocks) {
                all &= block.equals(Integer.toString(payloadType));
            }
            if (all) {
                return e.getKey();
            }
        }
        return -1;
    }

    /** The RTX SSRC paired with {@code primary} by {@code a=ssrc-group:FID} (RFC 4588 §8.3), or 0. */
    public long rtxSsrcFor(long primary) {
        for (String value : attributes("ssrc-group")) {
            String[] parts = value.trim().split("\\s+");
            if (parts.length == 3 && parts[0].equals("FID") && parts[1].equals(Long.toString(primary))) {
                try {
                    long rtx = Long.parseLong(parts[2]);
                    return rtx > 0 && rtx <= 0xFFFFFFFFL ? rtx : 0;
                } catch (NumberFormatException ignored) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** SSRCs that are the retransmission half of an a=ssrc-group:FID (RFC 4588 §8.1). */
    public List<Long> rtxSsrcs() {
        List<Long> rtx = new ArrayList<>();
        for (String value : attributes("ssrc-group")) {
            String[] parts = value.split("\\s+");
            if (parts.length == 3 && parts[0].equals("FID")) {
                try {
                    rtx.add(Long.parseLong(parts[2]));
                } catch (NumberFormatException ignored) {
                    // Ignored like any malformed optional attribute.
                }
            }
        }
        return rtx;
    }

    private List<String> perPayloadType(String name, int payloadType) {
        String prefix = payloadType + " ";
        List<String> values = new ArrayList<>();
        for (String value : attributes(name)) {
            if (value.startsWith(prefix)) {
                values.add(value.substring(prefix.length()).trim());
            }
        }
        return values;
    }

    static Integer parseIntOrNull(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
