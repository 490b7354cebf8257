package dev.relay.signaling.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * One session event in the CloudEvents 1.0 envelope, written in structured mode: the whole event
 * is one JSON object (CloudEvents JSON Event Format, {@code application/cloudevents+json}).
 * Immutable once made; {@link #data} is never modified after construction, so it may be handed to
 * another thread.
 *
 * @param id            unique per event (a random UUID); consumers de-duplicate on it
 * @param source        {@code /relay/<nodeId>}: together with {@code id} globally unique (CE 1.0 §3.1.1)
 * @param type          e.g. {@code dev.relay.participant.joined} (see {@link EventType})
 * @param time          when it happened on the relay
 * @param subject       the room id; also the Kafka record key. Null for an event outside any room
 *                      ({@code dev.relay.events.lost}): the key is then the node id
 * @param relayNode     extension {@code relaynode}: the node id
 * @param roomSeq       extension {@code roomseq}: 1, 2, 3... per room instance, starting at
 *                      {@code room.created}, so a consumer can see gaps and order; 0 (and not
 *                      written) outside any room
 * @param data          the event's own fields
 */
public record CloudEvent(String id, String source, EventType type, Instant time, String subject, String relayNode,
                         long roomSeq, ObjectNode data) {

    public static final String SPEC_VERSION = "1.0";
    /** Extension {@code schemaversion}: bumped when a {@code data} field changes meaning or is removed. */
    public static final int SCHEMA_VERSION = 1;
    /** The Kafka {@code content-type} header of a structured-mode record (CloudEvents Kafka binding §3.2). */
    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** RFC 3339 UTC with milliseconds: "2026-05-04T10:15:30.123Z". */
    private static final DateTimeFormatter RFC_3339 = DateTimeFormatter.ISO_INSTANT;

    /** The event as a JSON object, attributes in the order the CloudEvents spec lists them. */
    public ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode()
                .put("specversion", SPEC_VERSION)
                .put("id", id)
                .put("source", source)
                .put("type", type.ceType());
        if (subject != null) {
            node.put("subject", subject);
        }
        node.put("time", RFC_3339.format(time.truncatedTo(ChronoUnit.MILLIS)))
                .put("datacontenttype", "application/json")
                .put("relaynode", relayNode)
                .put("schemaversion", SCHEMA_VERSION);
        if (roomSeq > 0) {
            node.put("roomseq", roomSeq);
        }
        node.set("data", data);
        return node;
    }

    /** One line of UTF-8 JSON, no trailing newline. */
    public byte[] toJsonBytes() {
        try {
            return JSON.writeValueAsBytes(toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize event " + id, e);
        }
    }

    /** The Kafka record key: the room id, or for an event outside any room the node id. */
    public String key() {
        return subject != null ? subject : relayNode;
    }

    /**
     * Reads an event back from {@link #toJsonBytes()} (the spool keeps events as those bytes).
     *
     * @throws IllegalArgumentException if the bytes are not such an event
     */
    public static CloudEvent fromJsonBytes(byte[] json) {
        try {
            com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(json);
            EventType type = EventType.ofCeType(node.path("type").asText());
            if (type == null || !node.path("data").isObject()) {
                throw new IllegalArgumentException("not a relay event: " + node.path("type").asText());
            }
            com.fasterxml.jackson.databind.JsonNode subject = node.get("subject");
            return new CloudEvent(node.path("id").asText(), node.path("source").asText(), type,
                    Instant.parse(node.path("time").asText()), subject == null ? null : subject.asText(),
                    node.path("relaynode").asText(), node.path("roomseq").asLong(0), (ObjectNode) node.get("data"));
        } catch (java.io.IOException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not a relay event", e);
        }
    }

    public String toJsonString() {
        return new String(toJsonBytes(), StandardCharsets.UTF_8);
    }
}
