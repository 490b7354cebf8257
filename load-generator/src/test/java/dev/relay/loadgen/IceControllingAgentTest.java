package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.stun.StunMessage;
import dev.relay.codecs.stun.StunMessageWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Our checks as the relay's ICE-lite agent reads them, and its answers as we verify them. */
class IceControllingAgentTest {
    private static final String RELAY_UFRAG = "relayUfr";
    private static final String RELAY_PWD = "relaypassword0123456789ab";
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    private final StunMessageWriter writer = new StunMessageWriter();
    private final IceControllingAgent agent = new IceControllingAgent();
    private final byte[] request = new byte[512];
    private final byte[] response = new byte[512];

    @Test
    void shouldNominateWithCredentialsTheRelayChecks() {
        agent.start(RELAY_UFRAG, RELAY_PWD, "mine", 0);
        int len = agent.writeCheckIfDue(0, request, writer);

        StunMessage stun = new StunMessage();
        assertTrue(stun.wrap(request, 0, len));
        assertTrue(stun.isBindingRequest());
        assertTrue(stun.usernameEquals("relayUfr:mine".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(stun.checkMessageIntegrity(RELAY_PWD.getBytes(StandardCharsets.UTF_8)));
        assertTrue(stun.checkFingerprint());
        assertTrue(stun.iceControlling());
        assertTrue(stun.useCandidate());
        assertEquals(0, agent.writeCheckIfDue(1_000_000L, request, writer), "next check only after Ta");
    }

    /** RFC 8445 §6.1.1: when the server offered (Janus's subscriptions) it controls and nominates. */
    @Test
    void shouldCheckWithoutNominatingWhenControlled() {
        agent.start("janusUfr", RELAY_PWD, "mine", false, 0);
        int len = agent.writeCheckIfDue(0, request, writer);

        StunMessage stun = new StunMessage();
        assertTrue(stun.wrap(request, 0, len));
        assertTrue(stun.iceControlled());
        assertFalse(stun.iceControlling());
        assertFalse(stun.useCandidate());
        assertTrue(stun.usernameEquals("janusUfr:mine".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void shouldSucceedOnceOnAnAuthenticResponseThenSendConsentChecks() {
        agent.start(RELAY_UFRAG, RELAY_PWD, "mine", 0);
        int len = agent.writeCheckIfDue(0, request, writer);

        StunMessage stun = answer(len, RELAY_PWD);
        assertTrue(agent.onResponse(stun, 10));
        assertTrue(agent.succeeded());
        assertFalse(agent.onResponse(stun, 20), "only the first success counts");
        assertFalse(agent.timedOut(IceControllingAgent.TIMEOUT_NANOS));

        int consent = agent.writeCheckIfDue(10 + IceControllingAgent.CONSENT_INTERVAL_NANOS, request, writer);
        StunMessage check = new StunMessage();
        assertTrue(check.wrap(request, 0, consent));
        assertFalse(check.useCandidate(), "consent checks do not nominate again");
    }

    @Test
    void shouldIgnoreResponsesWithTheWrongPasswordOrTransaction() {
        agent.start(RELAY_UFRAG, RELAY_PWD, "mine", 0);
        int len = agent.writeCheckIfDue(0, request, writer);

        assertFalse(agent.onResponse(answer(len, "someoneelsespassword12345"), 10));
        request[StunMessage.HEADER_LENGTH - 1] ^= 1; // another transaction id
        assertFalse(agent.onResponse(answer(len, RELAY_PWD), 10));
        assertFalse(agent.succeeded());
        assertTrue(agent.timedOut(IceControllingAgent.TIMEOUT_NANOS));
    }

    private StunMessage answer(int requestLength, String password) {
        StunMessage req = new StunMessage();
        assertTrue(req.wrap(request, 0, requestLength));
        int len = writer.writeBindingSuccess(response, 0, request, req.transactionIdOffset(), LOOPBACK, 5000,
                password.getBytes(StandardCharsets.UTF_8));
        StunMessage stun = new StunMessage();
        assertTrue(stun.wrap(response, 0, len));
        return stun;
    }
}
