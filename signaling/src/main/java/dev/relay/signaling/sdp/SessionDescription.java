package dev.relay.signaling.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed SDP (RFC 8866): session-level attributes and the m-sections. Only the structure is
 * checked here; what WebRTC requires (BUNDLE, ICE, DTLS) is checked by the negotiators.
 */
public final class SessionDescription {
    /** Bigger than any real offer (Chromium's 3-layer simulcast offer is ~6 KB). */
    public static final int MAX_LENGTH = 64 * 1024;

    private final List<String[]> attributes = new ArrayList<>();
    private final List<MediaDescription> media = new ArrayList<>();

    private SessionDescription() {
    }

    public static SessionDescription parse(String sdp) throws SdpException {
        if (sdp == null || sdp.isBlank()) {
            throw new SdpException("empty SDP");
        }
        if (sdp.length() > MAX_LENGTH) {
            throw new SdpException("SDP longer than " + MAX_LENGTH + " characters");
        }
        SessionDescription session = new SessionDescription();
        MediaDescription current = null;
        String[] lines = sdp.split("\r?\n");
        if (!lines[0].startsWith("v=0")) {
            throw new SdpException("SDP must start with v=0");
        }
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != '=') {
                throw new SdpException("line " + (i + 1) + " is not <type>=<value>: " + abbreviate(line));
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (type == 'm') {
                current = parseMediaLine(value, i + 1);
                session.media.add(current);
            } else if (type == 'a') {
                int colon = value.indexOf(':');
                String name = colon < 0 ? value : value.substring(0, colon);
                String attrValue = colon < 0 ? "" : value.substring(colon + 1);
                if (current == null) {
                    session.attributes.add(new String[] {name, attrValue});
                } else {
                    current.addAttribute(name, attrValue);
                }
            }
        }
        return session;
    }

    private static MediaDescription parseMediaLine(String value, int lineNumber) throws SdpException {
        String[] parts = value.trim().split("\\s+");
        if (parts.length < 3) {
            throw new SdpException("line " + lineNumber + ": m-line needs <media> <port> <proto> <fmt>...");
        }
        Integer port = MediaDescription.parseIntOrNull(parts[1].contains("/")
                ? parts[1].substring(0, parts[1].indexOf('/')) : parts[1]);
        if (port == null || port < 0 || port > 65535) {
            throw new SdpException("line " + lineNumber + ": bad port in m-line");
        }
        List<String> formats = new ArrayList<>();
        for (int i = 3; i < parts.length; i++) {
            formats.add(parts[i]);
        }
        return new MediaDescription(parts[0], port, parts[2], formats);
    }

    public List<MediaDescription> media() {
        return media;
    }

    public String attribute(String name) {
        for (String[] a : attributes) {
            if (a[0].equals(name)) {
                return a[1];
            }
        }
        return null;
    }

    /** A media-level attribute, falling back to the session level (RFC 8866 §5). */
    public String attribute(MediaDescription m, String name) {
        String value = m.attribute(name);
        return value != null ? value : attribute(name);
    }

    private static String abbreviate(String line) {
        return line.length() > 40 ? line.substring(0, 40) + "..." : line;
    }
}
