package dev.relay.signaling;

/**
 * What a publisher says about one of its tracks in {@code publish} (docs/signaling.md): what it
 * captures and whether it starts muted. Validated by {@link MessageDispatcher}.
 *
 * @param trackId the track's id as in the offer's {@code a=msid}
 * @param source  {@code camera}, {@code microphone} or {@code screen}; null: by kind
 * @param muted   the client sends no media for it until it says otherwise ({@code mute})
 */
record TrackOption(String trackId, String source, boolean muted) {
    static final String CAMERA = "camera";
    static final String MICROPHONE = "microphone";
    static final String SCREEN = "screen";

    static boolean isSource(String value) {
        return CAMERA.equals(value) || MICROPHONE.equals(value) || SCREEN.equals(value);
    }

    /** The source a track of {@code kind} has when its publisher names none. */
    static String defaultSource(String kind) {
        return kind.equals("audio") ? MICROPHONE : CAMERA;
    }
}
