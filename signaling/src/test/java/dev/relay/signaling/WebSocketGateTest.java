package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.signaling.auth.AccessControl;
import dev.relay.signaling.auth.ApiKeys;
import dev.relay.signaling.auth.OriginPolicy;
import dev.relay.signaling.auth.RefusalReason;
import dev.relay.signaling.auth.TokenIssuer;
import dev.relay.signaling.auth.VideoGrant;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link WebSocketGate} on an EmbeddedChannel: 403 for a foreign Origin, the token's outcome on the channel. */
class WebSocketGateTest {
    private static final ApiKeys KEYS = ApiKeys.of("APIk", "0123456789abcdef0123456789abcdef");
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private final AccessControl access = new AccessControl(KEYS, OriginPolicy.defaults(), () -> NOW);
    private final EmbeddedChannel channel = new EmbeddedChannel(new WebSocketGate(access));
    private final String token = TokenIssuer.forKey(KEYS, null, () -> NOW)
            .issue("alice", null, VideoGrant.unrestricted("r1"), Duration.ofHours(1));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static FullHttpRequest get(String uri, String origin) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set(HttpHeaderNames.HOST, "relay.example:8080");
        if (origin != null) {
            request.headers().set(HttpHeaderNames.ORIGIN, origin);
        }
        return request;
    }

    @Test
    void shouldAnswerForeignOriginWith403AndClose() {
        channel.writeInbound(get("/ws?access_token=" + token, "https://evil.example"));
        FullHttpResponse response = channel.readOutbound();
        assertEquals(403, response.status().code());
        response.release();
        assertNull(channel.readInbound(), "the handshake never sees it");
        assertFalse(channel.isOpen());
        assertEquals(1, access.originsRefused());
        assertEquals(0, access.refused(RefusalReason.MISSING), "no token check after the Origin refusal");
    }

    @Test
    void shouldPassAdmittedUpgradeOnWithoutTheQuery() {
        channel.writeInbound(get("/ws?access_token=" + token + "&x=1", "http://localhost:3000"));
        FullHttpRequest request = channel.readInbound();
        assertEquals("/ws", request.uri(), "the handshaker matches the exact path; the token goes no further");
        request.release();
        WebSocketGate.Admission admission = channel.attr(WebSocketGate.ADMISSION).get();
        assertNull(admission.refusal());
        assertEquals("alice", admission.token().identity());
    }

    @Test
    void shouldTakeBearerHeaderFromClientWithoutOrigin() {
        FullHttpRequest upgrade = get("/ws", null);
        upgrade.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        channel.writeInbound(upgrade);
        ((FullHttpRequest) channel.readInbound()).release();
        assertEquals("alice", channel.attr(WebSocketGate.ADMISSION).get().token().identity());
    }

    @Test
    void shouldLeaveRefusalForFrameHandler() {
        channel.writeInbound(get("/ws", "http://relay.example:8080"));
        ((FullHttpRequest) channel.readInbound()).release();
        assertEquals(RefusalReason.MISSING, channel.attr(WebSocketGate.ADMISSION).get().refusal().reason());
        assertEquals(1, access.refused(RefusalReason.MISSING));
    }

    @Test
    void shouldLeaveOtherPathsAlone() {
        channel.writeInbound(get("/ws/other?access_token=x", "https://evil.example"));
        FullHttpRequest request = channel.readInbound();
        assertEquals("/ws/other?access_token=x", request.uri(), "not the WebSocket path: Netty will not upgrade it");
        request.release();
        assertNull(channel.attr(WebSocketGate.ADMISSION).get());
        assertTrue(channel.isOpen());
        assertEquals(0, access.originsRefused());
    }
}
