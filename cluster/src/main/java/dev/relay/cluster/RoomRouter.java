package dev.relay.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Decides where a join of a room goes (docs/scale-out.md "Room directory", "Redirect"): to this
 * node if it holds the room; to the node that holds it, if that node is alive; otherwise to the
 * node the placement policy picks among the live ones, claimed in the directory first (first
 * claim wins, so two nodes placing the same new room at once send both joins to one node). A room
 * held by a node whose registry entry is gone (it died) is taken back from it and placed again.
 * Blocking Redis calls: the caller runs it off the media path.
 */
public final class RoomRouter {
    private final RedisDirectory directory;
    private final PlacementPolicy policy;
    private final String selfId;
    private final Duration roomTtl;

    /** Where a join goes. */
    public sealed interface Route permits Local, Redirect, Refused {
    }

    /** This node holds the room: join here. */
    public record Local() implements Route {
    }

    /** Another node holds the room: the client joins there, at {@code signalingUrl}. */
    public record Redirect(String nodeId, String signalingUrl) implements Route {
    }

    /** No live node can take a new room. */
    public record Refused(String reason) implements Route {
    }

    /**
     * @param roomTtl how long a room's claim lives unless its node renews it
     *                ({@link RedisDirectory#refreshRoom}) while the room is open
     */
    public RoomRouter(RedisDirectory directory, PlacementPolicy policy, String selfId, Duration roomTtl) {
        this.directory = directory;
        this.policy = policy;
        this.selfId = selfId;
        this.roomTtl = roomTtl;
    }

    public Route route(String room) {
        Optional<String> owner = directory.ownerOf(room);
        if (owner.isPresent()) {
            Route route = toOwner(owner.get());
            if (route != null) {
                return route;
            }
            // Its node's registry entry expired: the node is gone; free the room, place it again.
            directory.releaseRoom(room, owner.get());
        }
        List<NodeLoad> nodes = directory.nodes();
        Optional<NodeLoad> chosen = policy.choose(nodes);
        if (chosen.isEmpty()) {
            return new Refused(nodes.isEmpty() ? "no relay node is registered"
                    : "no relay node has room for a new room (" + nodes.size() + " nodes)");
        }
        String winner = directory.claimRoom(room, chosen.get().nodeId(), roomTtl);
        Route route = toOwner(winner);
        return route != null ? route : new Refused("the node holding room " + room + " is gone; try again");
    }

    /** Local, a redirect to a live owner, or null when the owner's registry entry is gone. */
    private Route toOwner(String nodeId) {
        if (nodeId.equals(selfId)) {
            return new Local();
        }
        return directory.node(nodeId).<Route>map(n -> new Redirect(n.nodeId(), n.signalingUrl())).orElse(null);
    }
}
