package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.stun.StunMessage;
import dev.relay.codecs.stun.StunMessageWriter;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** A full-ICE server's checks on our candidate (RFC 8445 §7.3), and our answers as it verifies them. */
class IceCheckResponderTest {
    private static final String OUR_UFRAG = "ourUfrag";
    private static final String OUR_PWD = "ourpassword0123456789abcd";
    private static final byte[] SERVER_IP = {(byte) 198, 18, 7, 2};
    private static final byte[] TRANSACTION = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

    private final StunMessageWriter writer = new StunMessageWriter();
    private final IceCheckResponder responder = new IceCheckResponder(OUR_UFRAG, OUR_PWD);
    private final byte[] out = new byte[512];

    private static StunMessage check(String username, String key, boolean controlling, boolean useCandidate) {
        byte[] buf = new byte[512];
        int len = new StunMessageWriter().writeBindingRequest(buf, 0, TRANSACTION, username,
                key.getBytes(StandardCharsets.UTF_8), 1234, controlling, 42, useCandidate);
        StunMessage stun = new StunMessage();
        assertTrue(stun.wrap(buf, 0, len));
        return stun;
    }

    @Test
    void shouldAnswerAnAuthenticCheckWithTheSourceAddressAndOurPassword() {
        StunMessage request = check(OUR_UFRAG + ":janusUfr", OUR_PWD, true, false);

        assertEquals(IceCheckResponder.Outcome.ANSWERED, responder.onRequest(request, SERVER_IP, 20_001, out, writer));

        StunMessage response = new StunMessage();
        assertTrue(response.wrap(out, 0, responder.responseLength()));
        assertTrue(response.isBindingSuccessResponse());
        assertTrue(response.transactionIdEquals(TRANSACTION, 0));
        assertTrue(response.checkFingerprint());
        assertTrue(response.checkMessageIntegrity(OUR_PWD.getBytes(StandardCharsets.UTF_8)));
        byte[] mapped = new byte[4];
        assertEquals(4, response.mappedAddress(mapped, 0));
        assertArrayEquals(SERVER_IP, mapped);
        assertEquals(20_001, response.mappedPort());
        assertFalse(responder.nominated(), "no USE-CANDIDATE yet");
        assertEquals(1, responder.answered());
    }

    @Test
    void shouldNoteTheControllingServersNomination() {
        responder.onRequest(check(OUR_UFRAG + ":janusUfr", OUR_PWD, true, true), SERVER_IP, 20_001, out, writer);
        assertTrue(responder.nominated());
    }

    static Stream<Arguments> foreignChecks() {
        return Stream.of(
                Arguments.of("another transport's ufrag", "otherUfr:janusUfr", OUR_PWD),
                Arguments.of("our ufrag without the colon", OUR_UFRAG + "janusUfr", OUR_PWD),
                Arguments.of("the server's password instead of ours", OUR_UFRAG + ":janusUfr", "janus-password-xyz012345"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("foreignChecks")
    void shouldDropChecksThatAreNotOurs(String what, String username, String key) {
        assertEquals(IceCheckResponder.Outcome.REJECTED,
                responder.onRequest(check(username, key, true, true), SERVER_IP, 20_001, out, writer));
        assertEquals(0, responder.responseLength());
        assertFalse(responder.nominated());
        assertEquals(1, responder.rejected());
    }

    @Test
    void shouldLeaveResponsesToTheCheckingAgent() {
        byte[] buf = new byte[512];
        int len = writer.writeBindingSuccess(buf, 0, TRANSACTION, 0, SERVER_IP, 1, OUR_PWD.getBytes(StandardCharsets.UTF_8));
        StunMessage response = new StunMessage();
        assertTrue(response.wrap(buf, 0, len));
        assertEquals(IceCheckResponder.Outcome.NOT_A_REQUEST, responder.onRequest(response, SERVER_IP, 1, out, writer));
    }
}
