package dev.relay.signaling.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
