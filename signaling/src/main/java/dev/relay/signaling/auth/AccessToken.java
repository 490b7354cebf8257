package dev.relay.signaling.auth;

import java.time.Instant;

/**
 * The claims of a token whose signature and validity period checked out.
 *
 * @param apiKey    {@code iss}: the key whose secret signed it
 * @param identity  {@code sub}: who the participant is
 * @param name      {@code name}: display name; null if the token has none
 * @param video     the {@code video} grant
 * @param notBefore {@code nbf}; null if the token has none
 * @param expiresAt {@code exp}
 */
public record AccessToken(String apiKey, String identity, String name, VideoGrant video, Instant notBefore,
                          Instant expiresAt) {

    /** The name others see: the {@code name} claim, else the identity. */
    public String displayName() {
        return name == null || name.isEmpty() ? identity : name;
    }
}
