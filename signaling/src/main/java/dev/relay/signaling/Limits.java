package dev.relay.signaling;

import java.time.Duration;

/**
 * What one peer may hold or send (docs/signaling.md "Limits", docs/operations.md "Limits"):
 * every count a client controls has a cap, so no client can grow the relay's memory, the offers
 * it sends to others, or the control thread's work without bound. Read once at start.
 *
 * @param connectionsPerAddress TCP connections open at once from one source address (IPv4 address, or
 *                              IPv6 address); the next one is answered 429 and closed
 * @param rooms                 rooms open on this relay; a {@code join} that would open one more is refused
 * @param participantsPerRoom   participants in one room
 * @param tracksPerParticipant  m-sections in one {@code publish} offer (each would be a Producer, and an
 *                              m-section in every other participant's subscribe offer)
 * @param sdpChars              characters of one SDP ({@code publish}, {@code subscribeAnswer})
 * @param sdpMediaSections      m-sections of one SDP
 * @param candidatesPerPeerConnection trickled {@code candidate} messages per PeerConnection
 * @param subscribeSlots        m-sections of one subscribe PeerConnection (active and recycled)
 * @param joinTimeout           a WebSocket (or plain HTTP connection) that has not joined by then is closed
 * @param messagesPerSecond     sustained signaling messages per connection (token bucket rate)
 * @param messageBurst          token bucket depth; refused messages beyond this many in a row close the socket
 * @param writeBufferHighBytes  bytes queued to one socket above which it is unwritable (Netty's high water mark)
 * @param slowReaderTimeout     a socket that stays unwritable this long is closed
 * @param shutdownGrace         how long a SIGTERM may take: close frames, leave events, event flush
 * @param drainTimeout          on SIGTERM, before the shutdown grace: how long the relay stays up refusing
 *                              new joins ({@code draining}, {@code /readyz} 503) so calls can end; it ends
 *                              early once no participant is left. Zero: straight to the shutdown
 */
public record Limits(
        int connectionsPerAddress,
        int rooms,
        int participantsPerRoom,
        int tracksPerParticipant,
        int sdpChars,
        int sdpMediaSections,
        int candidatesPerPeerConnection,
        int subscribeSlots,
        Duration joinTimeout,
        int messagesPerSecond,
        int messageBurst,
        int writeBufferHighBytes,
        Duration slowReaderTimeout,
        Duration shutdownGrace,
        Duration drainTimeout) {

    public static final int DEFAULT_CONNECTIONS_PER_ADDRESS = 64;
    public static final int DEFAULT_ROOMS = 10_000;
    public static final int DEFAULT_PARTICIPANTS_PER_ROOM = 200;
    public static final int DEFAULT_TRACKS_PER_PARTICIPANT = 16;
    /** Chromium's offer with audio, video and 3-layer simulcast is ~6 KB; 32 KiB leaves room for 16 tracks. */
    public static final int DEFAULT_SDP_CHARS = 32 * 1024;
    public static final int DEFAULT_SDP_MEDIA_SECTIONS = 32;
    /** A browser trickles a handful of candidates per interface and protocol. */
    public static final int DEFAULT_CANDIDATES = 64;
    public static final int DEFAULT_SUBSCRIBE_SLOTS = 512;
    public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MESSAGES_PER_SECOND = 20;
    public static final int DEFAULT_MESSAGE_BURST = 50;
    /** Four of the largest messages the relay sends (a subscribe offer of a full room is ~100 KB). */
    public static final int DEFAULT_WRITE_BUFFER_HIGH_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_SLOW_READER_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    /** Off by default: a relay run by hand stops at once; an orchestrator sets it (helm/relay). */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ZERO;

    /** The limits before {@code drainTimeout} existed: no drain. */
    public Limits(int connectionsPerAddress, int rooms, int participantsPerRoom, int tracksPerParticipant,
                  int sdpChars, int sdpMediaSections, int candidatesPerPeerConnection, int subscribeSlots,
                  Duration joinTimeout, int messagesPerSecond, int messageBurst, int writeBufferHighBytes,
                  Duration slowReaderTimeout, Duration shutdownGrace) {
        this(connectionsPerAddress, rooms, participantsPerRoom, tracksPerParticipant, sdpChars, sdpMediaSections,
                candidatesPerPeerConnection, subscribeSlots, joinTimeout, messagesPerSecond, messageBurst,
                writeBufferHighBytes, slowReaderTimeout, shutdownGrace, DEFAULT_DRAIN_TIMEOUT);
    }

    public Limits {
        positive(connectionsPerAddress, "connections per address");
        positive(rooms, "rooms");
        positive(participantsPerRoom, "participants per room");
        positive(tracksPerParticipant, "tracks per participant");
        positive(sdpChars, "SDP size");
        positive(sdpMediaSections, "m-sections per SDP");
        positive(candidatesPerPeerConnection, "candidates per PeerConnection");
        positive(subscribeSlots, "subscribe slots");
        positive(messagesPerSecond, "messages per second");
        positive(messageBurst, "message burst");
        positive(writeBufferHighBytes, "write buffer high water mark");
        if (joinTimeout.isNegative() || joinTimeout.isZero() || slowReaderTimeout.isNegative()
                || slowReaderTimeout.isZero() || shutdownGrace.isNegative() || drainTimeout.isNegative()) {
            throw new IllegalArgumentException("join timeout and slow reader timeout must be positive, "
                    + "shutdown grace and drain timeout not negative");
        }
    }

    private static void positive(int value, String what) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive (got " + value + ")");
        }
    }

    public static Limits defaults() {
        return new Limits(DEFAULT_CONNECTIONS_PER_ADDRESS, DEFAULT_ROOMS, DEFAULT_PARTICIPANTS_PER_ROOM,
                DEFAULT_TRACKS_PER_PARTICIPANT, DEFAULT_SDP_CHARS, DEFAULT_SDP_MEDIA_SECTIONS, DEFAULT_CANDIDATES,
                DEFAULT_SUBSCRIBE_SLOTS, DEFAULT_JOIN_TIMEOUT, DEFAULT_MESSAGES_PER_SECOND, DEFAULT_MESSAGE_BURST,
                DEFAULT_WRITE_BUFFER_HIGH_BYTES, DEFAULT_SLOW_READER_TIMEOUT, DEFAULT_SHUTDOWN_GRACE,
                DEFAULT_DRAIN_TIMEOUT);
    }

    public Limits withConnectionsPerAddress(int n) {
        return new Limits(n, rooms, participantsPerRoom, tracksPerParticipant, sdpChars, sdpMediaSections,
                candidatesPerPeerConnection, subscribeSlots, joinTimeout, messagesPerSecond, messageBurst,
                writeBufferHighBytes, slowReaderTimeout, shutdownGrace, drainTimeout);
    }

    public Limits withRooms(int n) {
        return new Limits(connectionsPerAddress, n, participantsPerRoom, tracksPerParticipant, sdpChars,
                sdpMediaSections, candidatesPerPeerConnection, subscribeSlots, joinTimeout, messagesPerSecond,
                messageBurst, writeBufferHighBytes, slowReaderTimeout, shutdownGrace, drainTimeout);
    }

    public Limits withParticipantsPerRoom(int n) {
        return new Limits(connectionsPerAddress, rooms, n, tracksPerParticipant, sdpChars, sdpMediaSections,
                candidatesPerPeerConnection, subscribeSlots, joinTimeout, messagesPerSecond, messageBurst,
                writeBufferHighBytes, slowReaderTimeout, shutdownGrace, drainTimeout);
    }

    public Limits withTracksPerParticipant(int n) {
        return new Limits(connectionsPerAddress, rooms, participantsPerRoom, n, sdpChars, sdpMediaSections,
                candidatesPerPeerConnection, subscribeSlots, joinTimeout, messagesPerSecond, messageBurst,
                writeBufferHighBytes, slowReaderTimeout, shutdownGrace, drainTimeout);
    }

    public Limits withSdp(int chars, int mediaSections) {
        return new Limits(connectionsPerAddress, rooms, participantsPerRoom, tracksPerParticipant, chars,
                mediaSections, candidatesPerPeerConnection, subscribeSlots, joinTimeout, messagesPerSecond,
                messageBurst, writeBufferHighBytes, slowReaderTimeout, shutdownGrace, drainTimeout);
    }

    public Limits withCandidatesPerPeerConnection(int n) {
        return new Limits(connectionsPerAddress, rooms, participantsPerRoom, tracksPerParticipant, sdpChars,
                sdpMediaSections, n, subscribeSlots, joinTimeout, messagesPerSecond, messageBurst,
                writeBufferHighBytes, slowReaderTimeout, shutdownGrace, drainTimeout);
    }

    public Limits withSubscribeSlots(int n) {
        return new Limits(connectionsPerAddress, rooms, participantsPerRoom, tracksPerParticipant, sdpChars,
                sdpMediaSections, candidatesPerPeerConnection, n, joinTimeout, messagesPerSecond, messageBurst,
                writeBufferHighBytes, slowReaderTimeout, shutdownGrace, drainTimeout);
    }

    public Limits withJoinTimeout(Duration timeout) {
        return new Limits(connectionsPerAddress, rooms, participantsPerRoom, tracksPerParticipant, sdpChars,
                sdpMediaSections, candidatesPerPeerConnection, subscribeSlots, timeout, messagesPerSecond,
                messageBurst, writeBufferHighBytes, slowReaderTimeout, shutdownGrace, drainTimeout);
    }

    public Limits withMessageRate(int perSecond, int burst) {
        return new Limits(connectionsPerAddress, rooms, participantsPerRoom, tracksPerParticipant, sdpChars,
                sdpMediaSections, candidatesPerPeerConnection, subscribeSlots, joinTimeout, perSecond, burst,
                writeBufferHighBytes, slowReaderTimeout, shutdownGrace, drainTimeout);
    }

    public Limits withWriteBuffer(int highBytes, Duration slowReader) {
        return new Limits(connectionsPerAddress, rooms, participantsPerRoom, tracksPerParticipant, sdpChars,
                sdpMediaSections, candidatesPerPeerConnection, subscribeSlots, joinTimeout, messagesPerSecond,
                messageBurst, highBytes, slowReader, shutdownGrace, drainTimeout);
    }

    public Limits withShutdownGrace(Duration grace) {
        return new Limits(connectionsPerAddress, rooms, participantsPerRoom, tracksPerParticipant, sdpChars,
                sdpMediaSections, candidatesPerPeerConnection, subscribeSlots, joinTimeout, messagesPerSecond,
                messageBurst, writeBufferHighBytes, slowReaderTimeout, grace, drainTimeout);
    }

    public Limits withDrainTimeout(Duration drain) {
        return new Limits(connectionsPerAddress, rooms, participantsPerRoom, tracksPerParticipant, sdpChars,
                sdpMediaSections, candidatesPerPeerConnection, subscribeSlots, joinTimeout, messagesPerSecond,
                messageBurst, writeBufferHighBytes, slowReaderTimeout, shutdownGrace, drain);
    }
}
