package dev.relay.signaling.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code video} claim of an access token, LiveKit's names and defaults: a missing
 * {@code canPublish}, {@code canSubscribe} or {@code canPublishData} means true, a missing
 * {@code hidden} or {@code roomJoin} means false. Other LiveKit grants ({@code roomCreate},
 * {@code roomAdmin}, ...) are ignored: this relay has no API they would open.
 *
 * @param room           the one room the token may join; null if the claim has none
 * @param roomJoin       may join {@link #room}
 * @param canPublish     may send {@code publish}
 * @param canSubscribe   gets other participants' tracks ({@code subscribeOffer})
 * @param canPublishData may send data messages; the relay has no data channels yet, so it only
 *                       carries the grant
 * @param hidden         not announced to the others, and may not publish (its tracks would
 *                       announce it)
 */
public record VideoGrant(String room, boolean roomJoin, boolean canPublish, boolean canSubscribe,
                         boolean canPublishData, boolean hidden) {

    /** Dev mode (no API keys): whoever connects may do everything in the room they join. */
    public static VideoGrant unrestricted(String room) {
        return new VideoGrant(room, true, true, true, true, false);
    }

    /** Publishing is allowed and would not reveal a hidden participant. */
    public boolean mayPublish() {
        return canPublish && !hidden;
    }

    /** The claim as it is put into a token: the booleans always written out, as LiveKit's SDKs do. */
    Map<String, Object> toClaim() {
        Map<String, Object> claim = new LinkedHashMap<>();
        if (room != null) {
            claim.put("room", room);
        }
        claim.put("roomJoin", roomJoin);
        claim.put("canPublish", canPublish);
        claim.put("canSubscribe", canSubscribe);
        claim.put("canPublishData", canPublishData);
        if (hidden) {
            claim.put("hidden", true);
        }
        return claim;
    }

    /** Reads the claim; a present grant of the wrong type is refused rather than guessed. */
    static VideoGrant fromClaim(Map<String, Object> claim) throws TokenRefusedException {
        Object room = claim.get("room");
        if (room != null && !(room instanceof String)) {
            throw malformed("video.room must be a string");
        }
        return new VideoGrant((String) room,
                flag(claim, "roomJoin", false),
                flag(claim, "canPublish", true),
                flag(claim, "canSubscribe", true),
                flag(claim, "canPublishData", true),
                flag(claim, "hidden", false));
    }

    private static boolean flag(Map<String, Object> claim, String name, boolean absent)
            throws TokenRefusedException {
        Object value = claim.get(name);
        if (value == null) {
            return absent;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw malformed("video." + name + " must be true or false");
    }

    private static TokenRefusedException malformed(String message) {
        return new TokenRefusedException(RefusalReason.MALFORMED, message);
    }
}
