package dev.relay.cluster;

import static dev.relay.cluster.NodeLoadTest.node;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HeadroomPlacementTest extends PlacementPolicyContractTest {

    @Override
    PlacementPolicy policy() {
        return new HeadroomPlacement(ADMISSION);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("the least loaded node",
                        List.of(node("relay-0", 0, 600, 10, 0, 1000), node("relay-1", 0, 200, 10, 0, 1000),
                                node("relay-2", 0, 400, 10, 0, 1000)), "relay-1"),
                Arguments.of("CPU counts: relay-1 sends little but its host is busy",
                        List.of(node("relay-0", 0.4, 400, 10, 0, 1000), node("relay-1", 0.7, 100, 10, 0, 1000)),
                        "relay-0"),
                Arguments.of("absolute headroom: a larger node at the same fraction takes the room",
                        List.of(node("relay-0", 0, 500, 10, 0, 1000), node("relay-1", 0, 1000, 10, 0, 2000)),
                        "relay-1"),
                Arguments.of("growing rooms: relay-0 looks emptier but 5 rooms opened there are still filling",
                        List.of(node("relay-0", 0, 100, 5, 5, 1000), node("relay-1", 0, 200, 30, 0, 1000)),
                        "relay-1"),
                Arguments.of("tie on headroom: fewer participants",
                        List.of(node("relay-0", 0, 300, 40, 0, 1000), node("relay-1", 0, 300, 12, 0, 1000)),
                        "relay-1"),
                Arguments.of("tie on headroom and participants: lower node id",
                        List.of(node("relay-b", 0, 300, 12, 0, 1000), node("relay-a", 0, 300, 12, 0, 1000)),
                        "relay-a"),
                Arguments.of("the most headroom is not admitted: none is",
                        List.of(node("relay-0", 0, 860, 1, 0, 1000), node("relay-1", 0, 900, 1, 0, 1000)),
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldChooseTheMostEffectiveHeadroom(String why, List<NodeLoad> nodes, String expected) {
        assertEquals(expected, policy().choose(nodes).map(NodeLoad::nodeId).orElse(null));
    }
}
