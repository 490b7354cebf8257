package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TcpPacketSocketTest {

    /** On loopback each peer connects from an address of its own; a veth address is kept as it is. */
    @ParameterizedTest
    @CsvSource({"127.0.0.1, 0, 127.64.0.1", "127.0.0.1, 249, 127.64.0.250", "127.0.0.1, 250, 127.64.1.1",
        "127.0.0.1, 999, 127.64.3.250", "198.18.40.1, 7, 198.18.40.1"})
    void shouldGiveEachLoopbackPeerASourceAddressOfItsOwn(String local, int peer, String expected) {
        assertEquals(expected, TcpPacketSocket.sourceAddress(local, peer));
    }
}
