package dev.relay.cluster;

import java.util.List;
import java.util.Optional;

/**
 * Picks the node a new room goes to (docs/scale-out.md "Placement"). The caller then claims the
 * room for that node in the room directory; the first claim wins, so a policy's choice is advice,
 * never the source of truth.
 */
public interface PlacementPolicy {

    /**
     * The node for a new room, or empty when no node can take it (the join is refused).
     *
     * @param nodes the live nodes' last reports, in any order
     */
    Optional<NodeLoad> choose(List<NodeLoad> nodes);

    /** Short name for tables and plots. */
    String name();
}
