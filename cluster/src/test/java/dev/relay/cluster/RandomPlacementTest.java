package dev.relay.cluster;

import static dev.relay.cluster.NodeLoadTest.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RandomPlacementTest extends PlacementPolicyContractTest {
    private static final List<NodeLoad> FOUR = List.of(node("relay-0", 0, 100, 1, 0, 1000),
            node("relay-1", 0, 800, 1, 0, 1000), node("relay-2", 0, 900, 1, 0, 1000),
            node("relay-3", 0, 0, 1, 0, 1000));

    @Override
    PlacementPolicy policy() {
        return new RandomPlacement(ADMISSION, 7);
    }

    private static List<String> choices(long seed, int rooms) {
        PlacementPolicy policy = new RandomPlacement(ADMISSION, seed);
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < rooms; i++) {
            chosen.add(policy.choose(FOUR).orElseThrow().nodeId());
        }
        return chosen;
    }

    @Test
    void shouldRepeatWithTheSameSeed() {
        assertEquals(choices(42, 50), choices(42, 50));
        assertNotEquals(choices(42, 50), choices(43, 50));
    }

    @Test
    void shouldSpreadRoomsEvenlyOverAdmittedNodesWhateverTheirLoad() {
        // relay-2 is full; the three others are equally likely although relay-1 is far busier:
        // the baseline is load-blind. 3,000 draws: each count is 1,000 +- 26 (1 sd), so +-150 is
        // about 6 sd and does not flake.
        Map<String, Integer> counts = new TreeMap<>();
        for (String id : choices(1, 3000)) {
            counts.merge(id, 1, Integer::sum);
        }
        assertEquals(List.of("relay-0", "relay-1", "relay-3"), List.copyOf(counts.keySet()));
        for (int count : counts.values()) {
            assertTrue(Math.abs(count - 1000) < 150, counts.toString());
        }
    }
}
