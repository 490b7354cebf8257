package dev.relay.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Baseline: a new room goes to an admitted node chosen uniformly at random. Load-blind apart from
 * the shared {@link Admission}; it stands for today's placement by a hash of the room name at the
 * Ingress (docs/operations.md "Scaling and room affinity"), which spreads rooms evenly by count,
 * not by cost. Seeded, so runs repeat; the nodes are sorted by id first, so the choice does not
 * depend on the order the registry listed them in.
 */
public final class RandomPlacement implements PlacementPolicy {
    private final Admission admission;
    private final SplittableRandom random;

    public RandomPlacement(Admission admission, long seed) {
        this.admission = admission;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public Optional<NodeLoad> choose(List<NodeLoad> nodes) {
        List<NodeLoad> admitted = new ArrayList<>(nodes.size());
        for (NodeLoad node : nodes) {
            if (admission.admits(node)) {
                admitted.add(node);
            }
        }
        if (admitted.isEmpty()) {
            return Optional.empty();
        }
        admitted.sort(Comparator.comparing(NodeLoad::nodeId));
        return Optional.of(admitted.get(random.nextInt(admitted.size())));
    }

    @Override
    public String name() {
        return "random";
    }
}
