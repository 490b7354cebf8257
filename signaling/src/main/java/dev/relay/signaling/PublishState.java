package dev.relay.signaling;

import dev.relay.transport.Transport;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
    /** The client's ICE ufrag in its last accepted offer: a new one is an ICE restart (RFC 8839 §4.4.1.1.1). */
    private String remoteUfrag;
    /** By trackId, for published tracks only: camera, microphone or screen (docs/signaling.md). */
    private final Map<String, String> sources = new HashMap<>();
    /** trackIds of published tracks the client has muted. */
    private final Set<String> muted = new HashSet<>();
    /** By producer id: what another node needs to receive the track over a pipe. */
    private final Map<Integer, TrackMedia> media = new HashMap<>();

    /**
     * The publisher's RTP parameters of a track, as a node it is piped to needs them.
     *
     * @param payloadType           the codec's payload type
     * @param redPayloadType        RED's (RFC 2198), -1 if none
     * @param audioLevelExtensionId the audio level extension's id (RFC 6464), -1 if none
     */
    record TrackMedia(int payloadType, int redPayloadType, int audioLevelExtensionId) {
    }

    void media(PublishedTrack track, TrackMedia trackMedia) {
        media.put(track.producerId(), trackMedia);
    }

    /** The track's RTP parameters; unknown ones as none. */
    TrackMedia media(PublishedTrack track) {
        return media.getOrDefault(track.producerId(), new TrackMedia(-1, -1, -1));
    }

    String remoteUfrag() {
        return remoteUfrag;
    }

    void remoteUfrag(String ufrag) {
        remoteUfrag = ufrag;
    }

    /** What the track captures: its publisher's word, else by kind. */
    String source(PublishedTrack track) {
        String source = sources.get(track.trackId());
        return source != null ? source : TrackOption.defaultSource(track.kind());
    }

    void source(String trackId, String source) {
        sources.put(trackId, source);
    }

    boolean muted(PublishedTrack track) {
        return muted.contains(track.trackId());
    }

    /** Returns true if the state changed. */
    boolean mute(String trackId, boolean isMuted) {
        return isMuted ? muted.add(trackId) : muted.remove(trackId);
    }

    /** The published track with this id, or null. */
    PublishedTrack trackById(String trackId) {
        for (PublishedTrack track : tracks.values()) {
            if (track.trackId().equals(trackId)) {
                return track;
            }
        }
        return null;
    }

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
        media.remove(track.producerId());
        if (trackById(track.trackId()) == null) {
            sources.remove(track.trackId());
            muted.remove(track.trackId());
        }
    }
}
