package dev.relay.signaling;

import dev.relay.transport.Transport;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The relay's side of one participant's publish PeerConnection: its Transport, the version of
 * the relay's last answer, and the tracks (Producers) it carries by mid. The client offers and
 * the relay always answers at once, so there is no offer state to keep. Control thread only.
 */
final class PublishState {
    /** By mid, in the order they were published. */
    private final Map<String, PublishedTrack> tracks = new LinkedHashMap<>();
    private Transport transport;
    private long answerVersion;
    private boolean dtlsStarted;

    /** The publish Transport, or null before the first offer. */
    Transport transport() {
        return transport;
    }

    void transport(Transport transport) {
        if (this.transport != null) {
            throw new IllegalStateException("the publish Transport is already set");
        }
        this.transport = transport;
    }

    /**
     * True once DTLS was started, with the fingerprint of the first accepted offer. A refused
     * offer (bad_sdp, a malformed fingerprint included) leaves it for the next one.
     */
    boolean dtlsStarted() {
        return dtlsStarted;
    }

    void markDtlsStarted() {
        dtlsStarted = true;
    }

    /** The o= session version of the next answer: one higher per offer (RFC 8866 §5.2). */
    long nextAnswerVersion() {
        return ++answerVersion;
    }

    PublishedTrack track(String mid) {
        return tracks.get(mid);
    }

    Collection<PublishedTrack> tracks() {
        return Collections.unmodifiableCollection(tracks.values());
    }

    void add(PublishedTrack track) {
        tracks.put(track.mid(), track);
    }

    void remove(PublishedTrack track) {
        tracks.remove(track.mid());
    }
}
