package dev.relay.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The Janus HTTP API's messages (the core's requests: create, attach, message, trickle,
 * keepalive, destroy) and the VideoRoom plugin's request bodies the load generator sends, and a
 * reader for what comes back. Pure: builds and reads JSON, no I/O.
 *
 * <pre>
 *  POST /janus                  {"janus":"create"}                      -> success, data.id = session
 *  POST /janus/SESSION          {"janus":"attach","plugin":...}         -> success, data.id = handle
 *  POST /janus/SESSION/HANDLE   {"janus":"message","body":{...},"jsep"} -> success (sync) or ack, then
 *  GET  /janus/SESSION?maxev=N  long poll                               -> event(s) with the same transaction
 * </pre>
 */
final class JanusApi {
    static final String VIDEOROOM = "janus.plugin.videoroom";
    private static final ObjectMapper JSON = new ObjectMapper();

    private JanusApi() {
    }

    static ObjectNode create(String transaction) {
        return request("create", transaction);
    }

    static ObjectNode attach(String transaction, String plugin) {
        return request("attach", transaction).put("plugin", plugin);
    }

    static ObjectNode keepalive(String transaction) {
        return request("keepalive", transaction);
    }

    static ObjectNode destroy(String transaction) {
        return request("destroy", transaction);
    }

    /** A plugin message, with a JSEP offer or answer when {@code sdpType} is not null. */
    static ObjectNode message(String transaction, ObjectNode body, String sdpType, String sdp) {
        ObjectNode m = request("message", transaction);
        m.set("body", body);
        if (sdpType != null) {
            m.putObject("jsep").put("type", sdpType).put("sdp", sdp);
        }
        return m;
    }

    /** Trickle's end-of-candidates: every candidate of ours was in the SDP. */
    static ObjectNode trickleCompleted(String transaction) {
        ObjectNode m = request("trickle", transaction);
        m.putObject("candidate").put("completed", true);
        return m;
    }

    /**
     * A room for one scenario room: no bitrate cap (0), Opus and VP8 like the synthetic sources,
     * no periodic keyframe requests, no join notifications, room for every publisher a run can have.
     */
    static ObjectNode createRoom(long room, int publishers) {
        return JSON.createObjectNode().put("request", "create").put("room", room).put("permanent", false)
                .put("description", "loadgen " + room).put("publishers", publishers).put("bitrate", 0)
                .put("fir_freq", 0).put("audiocodec", "opus").put("videocodec", "vp8")
                .put("notify_joined", false);
    }

    /** Join as the publisher {@code feed} and publish the offer that goes with it, in one request. */
    static ObjectNode joinAndConfigure(long room, long feed, String display) {
        return JSON.createObjectNode().put("request", "joinandconfigure").put("room", room)
                .put("ptype", "publisher").put("id", feed).put("display", display)
                .put("audio", true).put("video", true);
    }

    /** Join as a subscriber of every stream of these feeds: one PeerConnection, Janus offers. */
    static ObjectNode subscribe(long room, List<Long> feeds) {
        ObjectNode body = JSON.createObjectNode().put("request", "join").put("room", room)
                .put("ptype", "subscriber");
        ArrayNode streams = body.putArray("streams");
        for (long feed : feeds) {
            streams.addObject().put("feed", feed);
        }
        return body;
    }

    /** The subscriber's answer goes with {@code start}. */
    static ObjectNode start() {
        return JSON.createObjectNode().put("request", "start");
    }

    private static ObjectNode request(String type, String transaction) {
        return JSON.createObjectNode().put("janus", type).put("transaction", transaction);
    }

    /** One stream of a subscription as Janus's {@code attached} event lists it. */
    record SubscribedStream(String mid, String type, long feed) {
    }

    /**
     * What Janus said, flattened: the core's {@code janus} type, the plugin's {@code videoroom}
     * value and error, and the JSEP.
     *
     * @param janus       success, ack, event, error, webrtcup, media, hangup, slowlink, ...
     * @param transaction the request's, or null for events Janus sends on its own
     * @param sender      the handle an event is about, 0 if none
     * @param id          data.id of a create or attach success, 0 otherwise
     * @param videoroom   plugindata.data.videoroom (joined, attached, event, created, ...), or null
     * @param error       the core's or the plugin's error as "code: reason", or null
     * @param jsepType    offer or answer, or null
     * @param jsepSdp     the SDP of the JSEP, or null
     * @param streams     the streams of an {@code attached} event, else empty
     */
    record Reply(String janus, String transaction, long sender, long id, String videoroom, String error,
                 String jsepType, String jsepSdp, List<SubscribedStream> streams) {

        boolean isAck() {
            return "ack".equals(janus);
        }

        /** The feed a subscription's m-section carries, or -1. */
        long feedOfMid(String mid) {
            for (SubscribedStream s : streams) {
                if (s.mid().equals(mid)) {
                    return s.feed();
                }
            }
            return -1;
        }
    }

    /** Reads one reply or event object. */
    static Reply read(JsonNode node) {
        String janus = node.path("janus").asText("");
        String transaction = node.hasNonNull("transaction") ? node.get("transaction").asText() : null;
        long sender = node.path("sender").asLong(0);
        long id = node.path("data").path("id").asLong(0);
        JsonNode data = node.path("plugindata").path("data");
        String videoroom = data.hasNonNull("videoroom") ? data.get("videoroom").asText() : null;
        String error = null;
        if (node.has("error")) {
            error = node.path("error").path("code").asInt() + ": " + node.path("error").path("reason").asText();
        } else if (data.has("error_code") || data.has("error")) {
            error = data.path("error_code").asInt() + ": " + data.path("error").asText();
        }
        JsonNode jsep = node.path("jsep");
        String jsepType = jsep.hasNonNull("type") ? jsep.get("type").asText() : null;
        String jsepSdp = jsep.hasNonNull("sdp") ? jsep.get("sdp").asText() : null;
        List<SubscribedStream> streams = new ArrayList<>();
        for (JsonNode s : data.path("streams")) {
            if (s.hasNonNull("mid") && s.has("feed_id")) {
                streams.add(new SubscribedStream(s.get("mid").asText(), s.path("type").asText(),
                        s.get("feed_id").asLong()));
            }
        }
        return new Reply(janus, transaction, sender, id, videoroom, error, jsepType, jsepSdp, List.copyOf(streams));
    }

    /** A long poll answers one event object or an array of them (with maxev). */
    static List<Reply> readEvents(String body) {
        List<Reply> out = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(body);
            if (root.isArray()) {
                for (JsonNode n : root) {
                    out.add(read(n));
                }
            } else if (root.isObject()) {
                out.add(read(root));
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Janus sent something that is not JSON: "
                    + (body.length() > 200 ? body.substring(0, 200) + "..." : body), e);
        }
        return out;
    }

    static Reply readOne(String body) {
        List<Reply> replies = readEvents(body);
        if (replies.size() != 1) {
            throw new IllegalArgumentException("expected one Janus reply, got " + replies.size());
        }
        return replies.get(0);
    }
}
