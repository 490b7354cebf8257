package dev.relay.signaling.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which web pages may open the signaling WebSocket: the {@code Origin} header a browser puts on
 * the upgrade (RFC 6454; RFC 6455 §10.2 leaves the check to the server). It keeps another site's
 * page from driving a visitor's browser into a room. A request without {@code Origin} is not from
 * a browser page (the load generator, a server SDK) and is let through: it proves nothing either
 * way, and the token is what authenticates.
 *
 * <p>Always allowed: the page's own origin, i.e. the origin whose host and port are the
 * request's {@code Host} (the relay's web client, also behind a TLS-terminating proxy that keeps
 * {@code Host}). With no list configured, also http(s) on localhost, 127.0.0.1 and [::1] on any
 * port, for development. {@code *} allows every origin.
 */
public final class OriginPolicy {
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");

    private final boolean any;
    private final boolean loopback;
    private final List<Origin> allowed;

    private OriginPolicy(boolean any, boolean loopback, List<Origin> allowed) {
        this.any = any;
        this.loopback = loopback;
        this.allowed = allowed;
    }

    /** Same origin, plus loopback pages on any port. */
    public static OriginPolicy defaults() {
        return new OriginPolicy(false, true, List.of());
    }

    /**
     * From {@code --allowed-origins}: empty for {@link #defaults()}, {@code *} for all, else
     * origins such as {@code https://meet.example.com} or {@code http://10.0.0.5:8080} (same
     * origin stays allowed; loopback only if listed).
     */
    public static OriginPolicy parse(List<String> entries) {
        List<Origin> origins = new ArrayList<>();
        boolean any = false;
        for (String raw : entries) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equals("*")) {
                any = true;
                continue;
            }
            Origin origin = Origin.parse(entry);
            if (origin == null) {
                throw new IllegalArgumentException("allowed origin '" + entry
                        + "' is not scheme://host[:port] with scheme http or https");
            }
            origins.add(origin);
        }
        if (!any && origins.isEmpty()) {
            return defaults();
        }
        return new OriginPolicy(any, false, List.copyOf(origins));
    }

    /**
     * @param origin the {@code Origin} header; null if absent
     * @param host   the {@code Host} header; null if absent
     */
    public boolean allows(String origin, String host) {
        if (origin == null || any) {
            return true;
        }
        Origin o = Origin.parse(origin.strip());
        if (o == null) {
            return false; // "null" (sandboxed frames, file:) and anything unparseable
        }
        if (host != null && o.sameAuthority(host.strip().toLowerCase(Locale.ROOT))) {
            return true;
        }
        if (loopback && LOOPBACK.contains(o.host)) {
            return true;
        }
        return allowed.contains(o);
    }

    @Override
    public String toString() {
        if (any) {
            return "*";
        }
        List<String> parts = new ArrayList<>();
        parts.add("same origin");
        if (loopback) {
            parts.add("localhost, 127.0.0.1, [::1] on any port");
        }
        allowed.forEach(o -> parts.add(o.toString()));
        return String.join(", ", parts);
    }

    /** An http(s) origin with its port made explicit, so https://a and https://a:443 are equal. */
    private record Origin(String scheme, String host, int port) {
        static Origin parse(String text) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                return null;
            }
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                return null;
            }
            String host = uri.getHost();
            boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                    && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
            if (host == null || !bare) {
                return null;
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(scheme);
            return new Origin(scheme, host.toLowerCase(Locale.ROOT), port);
        }

        /** Host header: host, [v6], host:port or [v6]:port; a missing port is the scheme's default. */
        boolean sameAuthority(String hostHeader) {
            String h = hostHeader;
            int p = defaultPort(scheme);
            int colon = h.lastIndexOf(':');
            if (colon > h.lastIndexOf(']')) {
                try {
                    p = Integer.parseInt(h.substring(colon + 1));
                } catch (NumberFormatException e) {
                    return false;
                }
                h = h.substring(0, colon);
            }
            return host.equals(h) && port == p;
        }

        private static int defaultPort(String scheme) {
            return scheme.equals("https") ? 443 : 80;
        }

        @Override
        public String toString() {
            return scheme + "://" + host + ":" + port;
        }
    }
}
