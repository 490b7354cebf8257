package dev.relay.cluster;

import static dev.relay.cluster.NodeLoadTest.node;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RoundRobinPlacementTest extends PlacementPolicyContractTest {

    @Override
    PlacementPolicy policy() {
        return new RoundRobinPlacement(ADMISSION);
    }

    private static NodeLoad open(String id) {
        return node(id, 0, 100, 1, 0, 1000);
    }

    private static NodeLoad full(String id) {
        return node(id, 0, 900, 1, 0, 1000);
    }

    /** Each step: the nodes the registry lists, and the node the next room goes to. */
    static Stream<Arguments> cases() {
        List<NodeLoad> abc = List.of(open("c"), open("a"), open("b"));
        return Stream.of(
                Arguments.of("in id order, wrapping", List.of(abc, abc, abc, abc), List.of("a", "b", "c", "a")),
                Arguments.of("a full node is skipped",
                        List.of(abc, List.of(open("a"), full("b"), open("c")), abc), List.of("a", "c", "a")),
                Arguments.of("a node joining takes its turn without shifting the others",
                        List.of(abc, abc, List.of(open("a"), open("ab"), open("b"), open("c")), abc),
                        List.of("a", "b", "c", "a")),
                Arguments.of("the last chosen node leaving does not reset the turn",
                        List.of(abc, abc, List.of(open("a"), open("c"))), List.of("a", "b", "c")),
                Arguments.of("all full: none, and the turn is kept",
                        List.of(abc, List.of(full("a"), full("b"), full("c")), abc), Arrays.asList("a", null, "b")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldGiveEachAdmittedNodeItsTurn(String why, List<List<NodeLoad>> steps, List<String> expected) {
        PlacementPolicy policy = policy();
        List<String> chosen = new ArrayList<>();
        for (List<NodeLoad> nodes : steps) {
            chosen.add(policy.choose(nodes).map(NodeLoad::nodeId).orElse(null));
        }
        assertEquals(expected, chosen);
    }
}
