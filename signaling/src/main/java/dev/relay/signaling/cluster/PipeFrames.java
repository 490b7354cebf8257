package dev.relay.signaling.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The control messages of one relay-to-relay pipe, once its key exchange is done
 * (docs/scale-out.md "Rooms across nodes"): each text frame is {@code tag.json}, the tag an
 * HMAC-SHA256 (RFC 2104) with this direction's key over the message's number in its direction and
 * the JSON. The WebSocket under it need not be confidential or trusted: a message changed, made
 * up, replayed, dropped or reordered on the way fails the check, and the pipe closes. One
 * instance per pipe end, used by one thread at a time.
 */
public final class PipeFrames {
    private static final String HMAC = "HmacSHA256";
    /** Base64url of 32 bytes, unpadded. */
    private static final int TAG_CHARS = 43;

    private final Mac sender;
    private final Mac receiver;
    private long sent;
    private long received;

    /** @param sendKey the key this end signs with; {@code receiveKey} the one the other end signs with */
    public PipeFrames(byte[] sendKey, byte[] receiveKey) {
        this.sender = mac(sendKey);
        this.receiver = mac(receiveKey);
    }

    /** The next message of this end, ready to send. */
    public String seal(String json) {
        byte[] tag = tag(sender, sent++, json);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(tag) + "." + json;
    }

    /**
     * The JSON of the other end's next message.
     *
     * @throws IllegalArgumentException if the frame is not that message as the other end sealed it
     */
    public String open(String frame) {
        if (frame.length() <= TAG_CHARS || frame.charAt(TAG_CHARS) != '.') {
            throw new IllegalArgumentException("not a sealed pipe message");
        }
        byte[] tag;
        try {
            tag = Base64.getUrlDecoder().decode(frame.substring(0, TAG_CHARS));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a sealed pipe message");
        }
        String json = frame.substring(TAG_CHARS + 1);
        if (!MessageDigest.isEqual(tag(receiver, received, json), tag)) {
            throw new IllegalArgumentException("pipe message " + received + " failed its check");
        }
        received++;
        return json;
    }

    private static byte[] tag(Mac mac, long number, String json) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            mac.update((byte) (number >>> shift));
        }
        return mac.doFinal(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
