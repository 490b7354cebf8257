package dev.relay.cluster;

import java.util.List;
import java.util.Optional;

/**
 * Baseline: new rooms go to the admitted nodes in turn, in node id order. The turn is kept as the
 * last node id chosen, not an index, so a node joining or leaving the registry does not shift
 * everyone's turn: the next room goes to the first admitted node whose id comes after the last one
 * chosen, wrapping around.
 */
public final class RoundRobinPlacement implements PlacementPolicy {
    private final Admission admission;
    private String last;

    public RoundRobinPlacement(Admission admission) {
        this.admission = admission;
    }

    @Override
    public Optional<NodeLoad> choose(List<NodeLoad> nodes) {
        NodeLoad next = null;
        NodeLoad first = null;
        for (NodeLoad node : nodes) {
            if (!admission.admits(node)) {
                continue;
            }
            String id = node.nodeId();
            if (first == null || id.compareTo(first.nodeId()) < 0) {
                first = node;
            }
            if (last != null && id.compareTo(last) > 0 && (next == null || id.compareTo(next.nodeId()) < 0)) {
                next = node;
            }
        }
        NodeLoad chosen = next != null ? next : first;
        if (chosen != null) {
            last = chosen.nodeId();
        }
        return Optional.ofNullable(chosen);
    }

    @Override
    public String name() {
        return "round-robin";
    }
}
