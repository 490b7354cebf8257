package dev.relay.signaling.events;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The events a sink lost since its last loss report: how many, why, and which (each room's
 * {@code roomseq} ranges), so that a {@code dev.relay.events.lost} event can tell consumers exactly
 * what is missing, including at the end of a room where no later {@code roomseq} shows the gap
 * (docs/events.md "Loss reports").
 *
 * <p>The count is always exact; the ranges stop at {@link #maxRanges} (then {@code truncated}), so a
 * report stays small however long an outage. Pure: no clock, no threads.
 */
final class LossLedger {
    /** Why an event was lost; the wire name is a key of the report's {@code reasons}. */
    enum Reason {
        /** The in-memory queue was full. */
        BUFFER_FULL("buffer_full"),
        /** The spool had reached its size bound. */
        SPOOL_FULL("spool_full"),
        /** Writing to the spool failed (the volume full below the bound, or failing). */
        SPOOL_ERROR("spool_error"),
        /** The destination refused it for good (e.g. a record too large, not authorized). */
        REFUSED("refused");

        private final String wireName;

        Reason(String wireName) {
            this.wireName = wireName;
        }

        String wireName() {
            return wireName;
        }
    }

    private static final DateTimeFormatter RFC_3339 = DateTimeFormatter.ISO_INSTANT;

    private final int maxRanges;
    private final Map<String, List<long[]>> rooms = new LinkedHashMap<>();
    private final EnumMap<Reason, Long> reasons = new EnumMap<>(Reason.class);
    private int ranges;
    private boolean truncated;
    private long count;
    private Instant first;
    private Instant last;

    LossLedger(int maxRanges) {
        this.maxRanges = maxRanges;
    }

    void record(Reason reason, CloudEvent event) {
        record(reason, event.subject(), event.roomSeq(), event.time());
    }

    /** @param room null, or {@code roomSeq} 0, for an event outside any room (a loss report) */
    void record(Reason reason, String room, long roomSeq, Instant time) {
        count++;
        reasons.merge(reason, 1L, Long::sum);
        if (first == null || time.isBefore(first)) {
            first = time;
        }
        if (last == null || time.isAfter(last)) {
            last = time;
        }
        if (room == null || roomSeq < 1) {
            return;
        }
        List<long[]> list = rooms.get(room);
        if (list != null && !list.isEmpty()) {
            long[] tail = list.get(list.size() - 1);
            if (roomSeq == tail[1] + 1) {
                tail[1] = roomSeq;
                return;
            }
        }
        if (ranges >= maxRanges) {
            truncated = true;
            return;
        }
        rooms.computeIfAbsent(room, r -> new ArrayList<>()).add(new long[] {roomSeq, roomSeq});
        ranges++;
    }

    /** Takes back the losses of a report that was itself lost ({@link #toData()}'s output). */
    void absorb(com.fasterxml.jackson.databind.JsonNode data) {
        count += data.path("lost").asLong();
        for (Reason reason : Reason.values()) {
            long n = data.path("reasons").path(reason.wireName()).asLong();
            if (n > 0) {
                reasons.merge(reason, n, Long::sum);
            }
        }
        if (data.hasNonNull("since")) {
            Instant since = Instant.parse(data.get("since").asText());
            Instant until = Instant.parse(data.get("until").asText());
            first = first == null || since.isBefore(first) ? since : first;
            last = last == null || until.isAfter(last) ? until : last;
        }
        for (com.fasterxml.jackson.databind.JsonNode r : data.path("rooms")) {
            if (ranges >= maxRanges) {
                truncated = true;
                break;
            }
            rooms.computeIfAbsent(r.path("room").asText(), k -> new ArrayList<>())
                    .add(new long[] {r.path("from").asLong(), r.path("to").asLong()});
            ranges++;
        }
        truncated |= data.path("truncated").asBoolean();
    }

    boolean isEmpty() {
        return count == 0;
    }

    long count() {
        return count;
    }

    long count(Reason reason) {
        return reasons.getOrDefault(reason, 0L);
    }

    /**
     * The {@code data} of a {@code dev.relay.events.lost} event:
     * {@code {"lost":N,"reasons":{"spool_full":N},"since":T,"until":T,"rooms":[{"room":R,"from":A,"to":B}],"truncated":false}}.
     */
    ObjectNode toData() {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("lost", count);
        ObjectNode why = data.putObject("reasons");
        reasons.forEach((reason, n) -> why.put(reason.wireName(), n));
        if (first != null) {
            data.put("since", RFC_3339.format(first.truncatedTo(ChronoUnit.MILLIS)));
            data.put("until", RFC_3339.format(last.truncatedTo(ChronoUnit.MILLIS)));
        }
        ArrayNode list = data.putArray("rooms");
        rooms.forEach((room, rs) -> rs.forEach(r -> list.addObject().put("room", room).put("from", r[0])
                .put("to", r[1])));
        data.put("truncated", truncated);
        return data;
    }

    void clear() {
        rooms.clear();
        reasons.clear();
        ranges = 0;
        truncated = false;
        count = 0;
        first = null;
        last = null;
    }
}
