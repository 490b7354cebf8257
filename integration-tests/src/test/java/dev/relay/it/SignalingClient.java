package dev.relay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A bare signaling WebSocket (java.net.http), for talking to the relay without a browser. */
final class SignalingClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebSocket socket;
    private final LinkedBlockingQueue<String> frames;
    private final CompletableFuture<Integer> closed;
    /** Frames skipped by {@link #next(Predicate, Duration)}, kept for failure messages. */
    private final List<String> skipped = new ArrayList<>();

    private SignalingClient(WebSocket socket, LinkedBlockingQueue<String> frames, CompletableFuture<Integer> closed) {
        this.socket = socket;
        this.frames = frames;
        this.closed = closed;
    }

    static SignalingClient connect(URI uri, Duration timeout) throws Exception {
        return connect(uri, timeout, Map.of());
    }

    /** With extra upgrade headers ({@code Origin}, {@code Authorization}). */
    static SignalingClient connect(URI uri, Duration timeout, Map<String, String> headers) throws Exception {
        return connect(HttpClient.newBuilder().connectTimeout(timeout).build(), uri, timeout, headers);
    }

    /** Over a shared client: many sockets without a selector thread each. */
    static SignalingClient connect(HttpClient client, URI uri, Duration timeout) throws Exception {
        return connect(client, uri, timeout, Map.of());
    }

    static SignalingClient connect(HttpClient client, URI uri, Duration timeout, Map<String, String> headers)
            throws Exception {
        LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        Collector collector = new Collector(frames);
        WebSocket.Builder builder = client
                .newWebSocketBuilder()
                .connectTimeout(timeout);
        headers.forEach(builder::header);
        WebSocket socket = builder.buildAsync(uri, collector).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return new SignalingClient(socket, frames, collector.closed);
    }

    /** The status code of the relay's close frame; fails if the socket is not closed in time. */
    int awaitClose(Duration timeout) throws Exception {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the relay did not close the WebSocket within " + timeout.toMillis() + " ms");
        }
    }

    void send(String text) throws Exception {
        socket.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    /** The next frame, parsed; fails if none arrives in time. */
    JsonNode next(Duration timeout) throws Exception {
        String frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (frame == null) {
            throw new AssertionError("no frame from the relay within " + timeout.toMillis() + " ms");
        }
        return JSON.readTree(frame);
    }

    /** The next frame, parsed, or null if none arrives in time. */
    JsonNode poll(Duration timeout) throws Exception {
        String frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return frame == null ? null : JSON.readTree(frame);
    }

    /** The next frame matching {@code wanted}, skipping others (e.g. room events); fails on timeout. */
    JsonNode next(Predicate<JsonNode> wanted, String description, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String frame = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
            if (frame == null) {
                throw new AssertionError("no " + description + " from the relay within " + timeout.toMillis()
                        + " ms; other frames: " + skipped);
            }
            JsonNode node = JSON.readTree(frame);
            if (wanted.test(node)) {
                return node;
            }
            skipped.add(frame);
        }
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The relay may have closed first (after 'left').
        } finally {
            socket.abort();
        }
    }

    /** Reassembles text frames (a message may arrive in parts) into the queue. */
    private static final class Collector implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> frames;
        private final StringBuilder partial = new StringBuilder();
        /** The close frame's status code; -1 if the connection dropped without one. */
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        Collector(LinkedBlockingQueue<String> frames) {
            this.frames = frames;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
