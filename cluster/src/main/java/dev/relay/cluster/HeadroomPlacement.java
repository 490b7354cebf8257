package dev.relay.cluster;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A new room goes to the admitted node with the most effective headroom ({@link Admission}): the
 * node that can best absorb the room growing, in absolute packets per second, so a larger node
 * takes more rooms. Ties (equal nodes, e.g. all empty) go to the node with fewer participants, so
 * that a node's failure drops fewer people, then to the lower node id, so that two placers seeing
 * the same reports choose the same node and do not race for two.
 */
public final class HeadroomPlacement implements PlacementPolicy {
    private final Admission admission;
    private final String name;
    private final Comparator<NodeLoad> best;

    public HeadroomPlacement(Admission admission) {
        this(admission, "headroom");
    }

    /** With a name of its own, to tell variants (e.g. another admission) apart in a table. */
    public HeadroomPlacement(Admission admission, String name) {
        this.admission = admission;
        this.name = name;
        this.best = Comparator.comparingDouble((NodeLoad n) -> -admission.effectiveHeadroom(n))
                .thenComparingInt(NodeLoad::participants)
                .thenComparing(NodeLoad::nodeId);
    }

    @Override
    public Optional<NodeLoad> choose(List<NodeLoad> nodes) {
        NodeLoad chosen = null;
        for (NodeLoad node : nodes) {
            if (admission.admits(node) && (chosen == null || best.compare(node, chosen) < 0)) {
                chosen = node;
            }
        }
        return Optional.ofNullable(chosen);
    }

    @Override
    public String name() {
        return name;
    }
}
