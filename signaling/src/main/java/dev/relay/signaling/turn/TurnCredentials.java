package dev.relay.signaling.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials for one participant, the scheme TURN servers with a shared secret
 * check (coturn's {@code use-auth-secret}; the "TURN REST API" draft, draft-uberti-behave-turn-rest-00):
 * the username is {@code <expiry, Unix seconds>:<who>}, the password base64(HMAC-SHA1(secret,
 * username)). The TURN server recomputes the password from the username and refuses it after
 * the expiry, so nothing is stored and nothing static is ever given out. {@code who} is the
 * participant the access token let in ({@code participantId@room}), which the TURN server logs.
 * Pure: the caller's clock; join time only.
 */
public final class TurnCredentials {
    private final TurnConfig config;
    private final InstantSource clock;

    /** One ICE server entry of {@code RTCConfiguration.iceServers}, valid until {@code expires}. */
    public record IceServer(List<String> urls, String username, String credential, Instant expires) {
    }

    public TurnCredentials(TurnConfig config, InstantSource clock) {
        this.config = config;
        this.clock = clock;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Credentials for {@code who}, valid for the configured lifetime from now. */
    public IceServer issue(String who) {
        Instant expires = clock.instant().plus(config.ttl());
        String username = expires.getEpochSecond() + ":" + who;
        return new IceServer(config.urls(), username, password(config.secret(), username), expires);
    }

    /** base64(HMAC-SHA1(secret, username)). */
    static String password(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every Java runtime", e);
        }
    }
}
