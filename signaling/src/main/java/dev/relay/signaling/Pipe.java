package dev.relay.signaling;

import dev.relay.signaling.cluster.PipeFrames;
import dev.relay.transport.PipeSocket;
import dev.relay.transport.Transport;
import dev.relay.transport.srtp.PipeKeyExchange;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One end of a relay-to-relay pipe: one room's media between this node and one other
 * (docs/scale-out.md "Rooms across nodes"). Its control channel is a WebSocket ({@link Link});
 * its media a Transport of the room's Router on a {@link PipeSocket} of its own. What this end
 * forwards to the other is kept as Consumer ids by Producer; what arrives are participants of the
 * other nodes ({@link Participant#isRemote}) in the room. Control thread only.
 */
final class Pipe {
    /** The control channel's socket. */
    interface Link {
        /** Sends one text message, after those sent before it. */
        void send(String text);

        void close();

        /** The other end proved it holds the cluster secret: the connection is no longer held to the join deadline. */
        default void authenticated() {
        }
    }

    /** Most participants of other nodes one pipe may bring into a room. */
    static final int MAX_REMOTE_PARTICIPANTS = 1_000;

    private final boolean uplink;
    private Link link;
    private String pipeId;
    private String peerNode;
    private Room room;
    private Transport transport;
    private PipeSocket socket;
    private PipeKeyExchange exchange;
    private String ownAddress;
    private PipeFrames frames;
    private boolean closed;
    private boolean firstMessageSeen;
    /** Producer id -> the pipe Consumer forwarding it to the other node. */
    private final Map<Integer, Integer> exported = new HashMap<>();
    /** Cluster-wide ids of the participants announced to the other node. */
    private final Set<String> announced = new HashSet<>();
    /** Cluster-wide ids of the participants that arrived over this pipe. */
    private final Set<String> imported = new HashSet<>();
    /** The SSRCs of the tracks that arrive over this pipe: unique on its Transport. */
    private final Set<Long> ssrcs = new HashSet<>();

    /** @param uplink this node opened the pipe to the node that holds the room */
    Pipe(boolean uplink) {
        this.uplink = uplink;
    }

    boolean isUplink() {
        return uplink;
    }

    /** True once the key exchange is done and messages are sealed. */
    boolean isOpen() {
        return frames != null && !closed;
    }

    boolean isClosed() {
        return closed;
    }

    /** True the first time only: the one message the key exchange takes from the other end. */
    boolean firstMessage() {
        if (firstMessageSeen) {
            return false;
        }
        firstMessageSeen = true;
        return true;
    }

    /** Marks it closed; false if it already was, so teardown runs once. */
    boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }

    void link(Link controlLink) {
        link = controlLink;
    }

    Link link() {
        return link;
    }

    void start(String id, String peer, Room pipeRoom, Transport pipeTransport, PipeSocket pipeSocket,
               PipeKeyExchange keyExchange, String address) {
        pipeId = id;
        peerNode = peer;
        room = pipeRoom;
        transport = pipeTransport;
        socket = pipeSocket;
        exchange = keyExchange;
        ownAddress = address;
    }

    void opened(PipeFrames sealed) {
        frames = sealed;
    }

    PipeFrames frames() {
        return frames;
    }

    String pipeId() {
        return pipeId;
    }

    Room room() {
        return room;
    }

    Transport transport() {
        return transport;
    }

    PipeSocket socket() {
        return socket;
    }

    PipeKeyExchange exchange() {
        return exchange;
    }

    String ownAddress() {
        return ownAddress;
    }

    Map<Integer, Integer> exported() {
        return exported;
    }

    Set<String> announced() {
        return announced;
    }

    Set<String> imported() {
        return imported;
    }

    Set<Long> ssrcs() {
        return ssrcs;
    }

    @Override
    public String toString() {
        return "Pipe[" + pipeId + (uplink ? " to " : " from ") + peerNode + "]";
    }
}
