package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeLoadTest {

    static NodeLoad node(String id, double cpu, double egress, int participants, int growing, double capacity) {
        return new NodeLoad(id, "wss://" + id + "/ws", cpu, egress, participants, growing, capacity);
    }

    @ParameterizedTest(name = "cpu {0}, egress {1} of {2}: utilisation {3}, headroom {4}")
    @CsvSource({
        // idle node: everything free
        "0.0,       0, 1000, 0.0,    1000",
        // egress limits: 60 % of capacity sent, CPU lower
        "0.3,     600, 1000, 0.6,     400",
        // CPU limits: egress low, the host busy with something else
        "0.9,     100, 1000, 0.9,     100",
        // equal: either
        "0.5,     500, 1000, 0.5,     500",
        // egress past capacity: no headroom, never negative
        "0.2,    1500, 1000, 1.0,       0",
        // absolute: the same fraction free on a node twice as large is twice the headroom
        "0.25,    500, 2000, 0.25,   1500",
    })
    void shouldTakeTheLargerOfCpuAndEgressFraction(double cpu, double egress, double capacity,
                                                  double utilisation, double headroom) {
        NodeLoad n = node("relay-0", cpu, egress, 0, 0, capacity);
        assertEquals(utilisation, n.utilisation(), 1e-9);
        assertEquals(headroom, n.headroom(), 1e-9);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "blank id,          ' ',     0.1,   0, 0, 0, 1000",
        "cpu above 1,       relay-0, 1.1,   0, 0, 0, 1000",
        "cpu negative,      relay-0, -0.1,  0, 0, 0, 1000",
        "cpu NaN,           relay-0, NaN,   0, 0, 0, 1000",
        "egress negative,   relay-0, 0.1,  -1, 0, 0, 1000",
        "participants < 0,  relay-0, 0.1,   0, -1, 0, 1000",
        "growing < 0,       relay-0, 0.1,   0, 0, -1, 1000",
        "capacity zero,     relay-0, 0.1,   0, 0, 0, 0",
        "capacity infinite, relay-0, 0.1,   0, 0, 0, Infinity",
    })
    void shouldRejectAnImpossibleReport(String why, String id, double cpu, double egress, int participants,
                                        int growing, double capacity) {
        assertThrows(IllegalArgumentException.class, () -> node(id, cpu, egress, participants, growing, capacity));
    }

    @Test
    void shouldRejectAMissingSignalingUrl() {
        assertThrows(IllegalArgumentException.class, () -> new NodeLoad("relay-0", "", 0, 0, 0, 0, 1000));
    }
}
