package dev.relay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A WebDriver BiDi session over one WebSocket (W3C WebDriver BiDi, "Transport" and "Session"):
 * commands are {@code {id, method, params}}, each answered by a {@code success} or {@code error}
 * message with the same id; {@code event} messages arrive in between and go to a listener.
 * Just enough of the protocol for {@link FirefoxPeer}; every wait is bounded.
 */
final class BiDiSession implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private volatile String closedReason;
    private JsonNode capabilities;

    private BiDiSession(WebSocket socket) {
        this.socket = socket;
    }

    /**
     * Connects to a BiDi-only endpoint ({@code ws://HOST:PORT/session}), sends {@code session.new}
     * and hands every event to {@code onEvent} (called on the WebSocket's thread, in order).
     */
    static BiDiSession open(URI endpoint, Duration timeout, Consumer<JsonNode> onEvent) throws IOException {
        Listener listener = new Listener(onEvent);
        WebSocket socket;
        try {
            socket = HttpClient.newBuilder().connectTimeout(timeout).build()
                    .newWebSocketBuilder()
                    .connectTimeout(timeout)
                    .buildAsync(endpoint, listener)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + endpoint, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("no WebDriver BiDi connection to " + endpoint + ": " + e, e);
        }
        BiDiSession session = new BiDiSession(socket);
        listener.session = session;
        ObjectNode params = JSON.createObjectNode();
        params.putObject("capabilities");
        session.capabilities = session.send("session.new", params, timeout).path("capabilities");
        return session;
    }

    /**
     * Sends one command and waits for its result ({@code result} of the success message).
     *
     * @throws BiDiException on an error reply, a timeout or a closed socket
     */
    JsonNode send(String method, ObjectNode params, Duration timeout) {
        int id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            if (closedReason != null) {
                throw new BiDiException(method + ": session closed (" + closedReason + ")");
            }
            ObjectNode command = JSON.createObjectNode();
            command.put("id", id);
            command.put("method", method);
            command.set("params", params);
            // One send at a time: java.net.http.WebSocket refuses a send while one is outstanding.
            synchronized (socket) {
                socket.sendText(command.toString(), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BiDiException(method + ": interrupted", e);
        } catch (TimeoutException e) {
            throw new BiDiException(method + ": no reply within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof BiDiException b ? b : new BiDiException(method + ": " + e.getCause(), e.getCause());
        } finally {
            pending.remove(id);
        }
    }

    /** What {@code session.new} reported: browserName, browserVersion, ... */
    JsonNode capabilities() {
        return capabilities;
    }

    boolean isOpen() {
        return closedReason == null;
    }

    /** Closes the WebSocket without waiting for the browser: it is about to be ended anyway. */
    @Override
    public void close() {
        failAll("closed by the test");
        socket.abort();
    }

    private void onMessage(JsonNode message, Consumer<JsonNode> onEvent) {
        JsonNode id = message.get("id");
        String type = message.path("type").asText();
        if (id != null && id.isInt()) {
            CompletableFuture<JsonNode> reply = pending.get(id.asInt());
            if (reply == null) {
                return;
            }
            if ("success".equals(type)) {
                reply.complete(message.path("result"));
            } else {
                reply.completeExceptionally(new BiDiException(message.path("error").asText() + ": "
                        + message.path("message").asText()));
            }
        } else if ("event".equals(type)) {
            onEvent.accept(message);
        }
    }

    private void failAll(String reason) {
        if (closedReason == null) {
            closedReason = reason;
        }
        for (CompletableFuture<JsonNode> reply : pending.values()) {
            reply.completeExceptionally(new BiDiException("session closed (" + reason + ")"));
        }
    }

    /** Reassembles fragmented text messages and dispatches them. */
    private static final class Listener implements WebSocket.Listener {
        private final Consumer<JsonNode> onEvent;
        private final StringBuilder text = new StringBuilder();
        private volatile BiDiSession session;

        Listener(Consumer<JsonNode> onEvent) {
            this.onEvent = onEvent;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                BiDiSession s = session;
                if (s != null) {
                    try {
                        s.onMessage(JSON.readTree(message), onEvent);
                    } catch (IOException | RuntimeException e) {
                        System.out.println("BiDi: dropped a message that could not be handled: " + e);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            BiDiSession s = session;
            if (s != null) {
                s.failAll("WebSocket closed by the browser: " + statusCode + " " + reason);
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            BiDiSession s = session;
            if (s != null) {
                s.failAll("WebSocket error: " + error);
            }
        }
    }

    static final class BiDiException extends RuntimeException {
        BiDiException(String message) {
            super(message);
        }

        BiDiException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
