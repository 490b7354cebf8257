package dev.relay.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the relay's messages to clients (docs/signaling.md "Relay -> client"). */
final class Messages {
    /** The error code of a refused access token (docs/signaling.md "Authentication"). */
    static final String UNAUTHORIZED = "unauthorized";

    private Messages() {
    }

    /** An {@code error} with no request to answer: the upgrade's token was refused. */
    static ObjectNode unauthorized(String reason, String text) {
        return message("error").put("code", UNAUTHORIZED).put("reason", reason).put("message", text);
    }

    static ObjectNode message(String type) {
        return JsonNodeFactory.instance.objectNode().put("type", type);
    }

    /** Echoes a request's {@code id} in its reply, so the client can match them. */
    static ObjectNode withId(ObjectNode message, JsonNode id) {
        if (id != null) {
            message.set("id", id);
        }
        return message;
    }
}
