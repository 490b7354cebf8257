package dev.relay.cluster;

import static dev.relay.cluster.NodeLoadTest.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PlacementPolicy} must do, whatever its choice: one subclass per implementation.
 * The admission is shared (10 % reserve of 1,000, rooms expected to cost 50), so a node with more
 * than 850 packets/s of egress, or with enough growing rooms, is full.
 */
abstract class PlacementPolicyContractTest {
    static final Admission ADMISSION = new Admission(0.10, 50);

    abstract PlacementPolicy policy();

    @Test
    void shouldPlaceNothingWithoutNodes() {
        assertTrue(policy().choose(List.of()).isEmpty());
    }

    @Test
    void shouldRefuseWhenEveryNodeIsFull() {
        List<NodeLoad> full = List.of(node("relay-0", 0, 900, 30, 0, 1000), node("relay-1", 0.95, 0, 1, 0, 1000),
                node("relay-2", 0, 700, 10, 4, 1000));
        assertTrue(policy().choose(full).isEmpty());
    }

    @Test
    void shouldOnlyEverChooseAnAdmittedNode() {
        PlacementPolicy policy = policy();
        NodeLoad open = node("relay-1", 0, 500, 10, 0, 1000);
        List<NodeLoad> nodes = List.of(node("relay-0", 0, 900, 30, 0, 1000), open,
                node("relay-2", 0, 700, 10, 4, 1000));
        for (int i = 0; i < 20; i++) {
            assertEquals(Optional.of(open), policy.choose(nodes));
        }
    }

    @Test
    void shouldNotDependOnTheOrderTheRegistryListsNodesIn() {
        List<NodeLoad> nodes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            nodes.add(node("relay-" + i, 0, 100 * (i % 3), 5, 0, 1000));
        }
        List<NodeLoad> reversed = new ArrayList<>(nodes);
        Collections.reverse(reversed);
        PlacementPolicy a = policy();
        PlacementPolicy b = policy();
        for (int i = 0; i < 12; i++) {
            assertEquals(a.choose(nodes), b.choose(reversed));
        }
    }

    @Test
    void shouldHaveAName() {
        assertFalse(policy().name().isBlank());
    }
}
