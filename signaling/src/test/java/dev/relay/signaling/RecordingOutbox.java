package dev.relay.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** An {@link Outbox} that writes what the relay would send into a list: each message as {@link Transcript} renders it, and "closed". */
final class RecordingOutbox implements Outbox {
    private final List<String> replies;

    RecordingOutbox(List<String> replies) {
        this.replies = replies;
    }

    @Override
    public void send(ObjectNode message) {
        replies.add(Transcript.render(message));
    }

    @Override
    public void close() {
        replies.add("closed");
    }
}
