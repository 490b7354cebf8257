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
    private final Span span;
    private final double fullBelowFraction;

    /**
     * When a join that reaches a node other than its room's stays there, its node piping the
     * room's media from the room's node (docs/scale-out.md "Rooms across nodes").
     */
    public enum Span {
        /** Never: the join is redirected to the room's node. */
        NEVER,
        /** When the room's node has no headroom left: the join stays; otherwise it is redirected. */
        WHEN_FULL,
        /** Always: every join stays where it lands; only a new room is placed (and redirected). */
        ALWAYS
    }

    /** Where a join goes. */
    public sealed interface Route permits Local, Redirect, Refused, Spanned {
    }

    /**
     * Another node holds the room and the join stays here: this node opens its own part of the
     * room, piped from that node's, whose pipe endpoint is {@code pipeUrl}.
     */
    public record Spanned(String nodeId, String signalingUrl, String pipeUrl) implements Route {
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
        this(directory, policy, selfId, roomTtl, Span.NEVER, 0);
    }

    /**
     * @param span              when a join of a room held elsewhere stays here
     * @param fullBelowFraction with {@link Span#WHEN_FULL}: a room's node whose headroom is less than
     *                          this share of its capacity is full
     */
    public RoomRouter(RedisDirectory directory, PlacementPolicy policy, String selfId, Duration roomTtl, Span span,
                      double fullBelowFraction) {
        this.directory = directory;
        this.policy = policy;
        this.selfId = selfId;
        this.roomTtl = roomTtl;
        this.span = span;
        this.fullBelowFraction = fullBelowFraction;
    }

    public Route route(String room) {
        Optional<String> owner = directory.ownerOf(room);
        if (owner.isPresent()) {
            Route route = toOwner(owner.get(), true);
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
        Route route = toOwner(winner, !winner.equals(chosen.get().nodeId()));
        return route != null ? route : new Refused("the node holding room " + room + " is gone; try again");
    }

    /**
     * Local, a redirect to a live owner (or, by {@link Span}, this node's part of its room), or null
     * when the owner's registry entry is gone.
     *
     * @param held the room was open before this join (a room just placed is redirected to its node)
     */
    private Route toOwner(String nodeId, boolean held) {
        if (nodeId.equals(selfId)) {
            return new Local();
        }
        return directory.node(nodeId).<Route>map(n -> held && spans(n)
                ? new Spanned(n.nodeId(), n.signalingUrl(), n.pipeUrl())
                : new Redirect(n.nodeId(), n.signalingUrl())).orElse(null);
    }

    /** Whether a join of a room {@code owner} holds stays here; never when the owner takes no pipes. */
    private boolean spans(NodeLoad owner) {
        if (owner.pipeUrl() == null) {
            return false;
        }
        return switch (span) {
            case NEVER -> false;
            case ALWAYS -> true;
            case WHEN_FULL -> owner.headroom() < fullBelowFraction * owner.capacityPacketsPerSecond();
        };
    }
}
