package dev.relay.signaling.turn;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The TURN servers the relay hands its clients (docs/operations.md "TURN over TLS"): their URLs
 * (RFC 7065: {@code turn:} and {@code turns:}, e.g. {@code turns:turn.example.com:443?transport=tcp}),
 * the secret shared with them, and how long a credential made from it stays valid. The relay is
 * not a TURN server; it makes short-lived credentials a TURN server with a shared secret checks
 * (coturn's {@code use-auth-secret}, docs/operations.md).
 *
 * @param urls   empty: no TURN servers (clients get none)
 * @param secret the shared secret; at least {@link #MIN_SECRET_CHARS} characters when there are URLs
 * @param ttl    how long each credential is valid from the join that issued it
 */
public record TurnConfig(List<String> urls, String secret, Duration ttl) {
    public static final int MIN_SECRET_CHARS = 16;
    public static final Duration DEFAULT_TTL = Duration.ofHours(12);

    public TurnConfig {
        urls = List.copyOf(urls);
        Objects.requireNonNull(ttl, "ttl");
        if (!urls.isEmpty()) {
            if (secret == null || secret.length() < MIN_SECRET_CHARS) {
                throw new IllegalArgumentException("a TURN secret of at least " + MIN_SECRET_CHARS
                        + " characters is needed with TURN URLs");
            }
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("TURN credential lifetime must be positive");
            }
            for (String url : urls) {
                if (!url.startsWith("turn:") && !url.startsWith("turns:")) {
                    throw new IllegalArgumentException("not a TURN URL (RFC 7065: turn: or turns:): " + url);
                }
            }
        }
    }

    /** No TURN servers. */
    public static TurnConfig none() {
        return new TurnConfig(List.of(), null, DEFAULT_TTL);
    }

    public boolean enabled() {
        return !urls.isEmpty();
    }

    /** The host of each URL ({@code turns:host:port?...}, IPv6 in brackets), for telling TURN paths apart. */
    public List<String> hosts() {
        return urls.stream().map(TurnConfig::host).distinct().toList();
    }

    static String host(String url) {
        String rest = url.substring(url.indexOf(':') + 1);
        int query = rest.indexOf('?');
        if (query >= 0) {
            rest = rest.substring(0, query);
        }
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            return close > 0 ? rest.substring(1, close) : rest;
        }
        int colon = rest.lastIndexOf(':');
        return colon >= 0 ? rest.substring(0, colon) : rest;
    }

    @Override
    public String toString() {
        // The secret never reaches a log line.
        return "TurnConfig[urls=" + urls + ", ttl=" + ttl + "]";
    }
}
