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
 * @param subject       the room id; also the Kafka record key
 * @param relayNode     extension {@code relaynode}: the node id
 * @param roomSeq       extension {@code roomseq}: 1, 2, 3... per room instance, starting at
 *                      {@code room.created}, so a consumer can see gaps and order
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
                .put("type", type.ceType())
                .put("subject", subject)
                .put("time", RFC_3339.format(time.truncatedTo(ChronoUnit.MILLIS)))
                .put("datacontenttype", "application/json")
                .put("relaynode", relayNode)
                .put("schemaversion", SCHEMA_VERSION)
                .put("roomseq", roomSeq);
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

    public String toJsonString() {
        return new String(toJsonBytes(), StandardCharsets.UTF_8);
    }
}
