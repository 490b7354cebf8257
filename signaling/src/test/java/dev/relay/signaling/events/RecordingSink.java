package dev.relay.signaling.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Keeps every event published to it, on the calling thread. */
final class RecordingSink implements EventSink {
    final List<CloudEvent> events = new ArrayList<>();

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public void publish(CloudEvent event) {
        events.add(event);
    }

    @Override
    public long published() {
        return events.size();
    }

    @Override
    public long dropped() {
        return 0;
    }

    @Override
    public long failed() {
        return 0;
    }

    @Override
    public long pending() {
        return 0;
    }

    @Override
    public void close(Duration timeout) {
    }
}
