package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The namespace's names, addresses and ip(8) commands, checked without root. */
class NetNamespaceTest {
    private final NetNamespace.Plan plan = NetNamespace.Plan.of(4321, 1, 77);

    @Test
    void shouldNameEverythingAfterThePidAndTheRun() {
        assertEquals("lg4321x1", plan.name());
        assertEquals("lg4321x1a", plan.hostIf());
        assertEquals("lg4321x1b", plan.nsIf());
        assertEquals("198.18.77.1", plan.hostAddress());
        assertEquals("198.18.77.2", plan.serverAddress());
    }

    @Test
    void shouldBuildTheVethPairWithLoUp() {
        List<List<String>> setup = plan.setupCommands();
        assertEquals(List.of("ip", "netns", "add", "lg4321x1"), setup.get(0));
        assertEquals(List.of("ip", "link", "add", "lg4321x1a", "type", "veth", "peer", "name", "lg4321x1b"),
                setup.get(1));
        assertEquals(List.of("ip", "link", "set", "lg4321x1b", "netns", "lg4321x1"), setup.get(2));
        assertEquals(List.of("ip", "addr", "add", "198.18.77.1/24", "dev", "lg4321x1a"), setup.get(3));
        assertEquals(List.of("ip", "-n", "lg4321x1", "addr", "add", "198.18.77.2/24", "dev", "lg4321x1b"),
                setup.get(5));
        assertEquals(List.of("ip", "-n", "lg4321x1", "link", "set", "lo", "up"), setup.get(setup.size() - 1));
    }

    @Test
    void shouldTearDownThePairAndTheNamespace() {
        assertEquals(List.of(List.of("ip", "link", "del", "lg4321x1a"), List.of("ip", "netns", "del", "lg4321x1")),
                plan.teardownCommands());
    }

    @Test
    void shouldRunAServerInsideTheNamespace() {
        assertEquals(List.of("ip", "netns", "exec", "lg4321x1", "janus", "-C", "x"),
                plan.exec(List.of("janus", "-C", "x")));
    }

    @ParameterizedTest(name = "start {1} with {0} in use -> {2}")
    @CsvSource(delimiter = '|', value = {
        "''|40|40",
        "'3: x    inet 198.18.40.1/24 scope global'|40|41",
        "'inet 198.18.40.1/24 x\ninet 198.18.41.2/24 y'|40|42",
        "'inet 198.18.254.1/24'|254|1",
        "'inet 10.198.18.5/8 inet 198.180.3.1/24'|5|5"})
    void shouldPickAFreeSubnet(String ipAddr, int start, int expected) {
        assertEquals(expected, NetNamespace.freeSubnet(ipAddr, start));
    }

    @Test
    void shouldReadTheEffectiveUidFromProc() {
        assertTrue(NetNamespace.effectiveUid() >= 0, "Linux: /proc/self/status has a Uid line");
    }

    @Test
    void shouldRefuseInterfaceNamesLinuxCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> new NetNamespace.Plan("n", "a-very-long-name-x", "b", 1));
        assertThrows(IllegalArgumentException.class, () -> new NetNamespace.Plan("n", "a", "b", 255));
    }
}
