package dev.relay.loadgen;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Janus session over the HTTP API for the whole run: every synthetic peer is a plugin
 * handle in it (a browser would have a session each; the media path, which is what is measured,
 * is per handle either way). One thread long-polls the session's events and completes the
 * request they answer by transaction; another sends a keepalive every 20 s, well inside Janus's
 * 60 s session timeout.
 */
final class JanusSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JanusSession.class);
    /** Janus drops a session after session_timeout (60 s by default) without a request. */
    static final long KEEPALIVE_MILLIS = 20_000;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_EVENTS_PER_POLL = 50;

    private final HttpClient http;
    private final URI base;
    private final long sessionId;
    private final Executor callbacks;
    private final Map<String, CompletableFuture<JanusApi.Reply>> pending = new ConcurrentHashMap<>();
    private final Map<Long, Consumer<JanusApi.Reply>> handleListeners = new ConcurrentHashMap<>();
    private final AtomicLong transactions = new AtomicLong();
    private final Thread poller;
    private final ScheduledExecutorService keepalive;
    private volatile boolean closed;

    private JanusSession(HttpClient http, URI base, long sessionId, Executor callbacks) {
        this.http = http;
        this.base = base;
        this.sessionId = sessionId;
        this.callbacks = callbacks;
        this.poller = new Thread(this::poll, "loadgen-janus-poll");
        this.poller.setDaemon(true);
        this.keepalive = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "loadgen-janus-keepalive");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Creates the session on Janus at {@code base} (e.g. http://198.18.7.2:8088/janus). */
    static JanusSession open(HttpClient http, URI base, Executor callbacks) throws IOException, InterruptedException {
        JanusApi.Reply reply = JanusApi.readOne(post(http, base, JanusApi.create("create")));
        if (!"success".equals(reply.janus()) || reply.id() == 0) {
            throw new IOException("Janus refused to create a session: " + reply);
        }
        JanusSession session = new JanusSession(http, base, reply.id(), callbacks);
        session.poller.start();
        session.keepalive.scheduleAtFixedRate(() -> session.send(URI.create(base + "/" + session.sessionId),
                        JanusApi.keepalive(session.nextTransaction()), true),
                KEEPALIVE_MILLIS, KEEPALIVE_MILLIS, TimeUnit.MILLISECONDS);
        return session;
    }

    long id() {
        return sessionId;
    }

    /** Attaches a VideoRoom handle; {@code listener} gets the events about it that answer no request. */
    CompletableFuture<Long> attach(Consumer<JanusApi.Reply> listener) {
        return send(URI.create(base + "/" + sessionId), JanusApi.attach(nextTransaction(), JanusApi.VIDEOROOM))
                .thenApply(reply -> {
                    if (!"success".equals(reply.janus()) || reply.id() == 0) {
                        throw new IllegalStateException("attach failed: " + describe(reply));
                    }
                    handleListeners.put(reply.id(), listener);
                    return reply.id();
                });
    }

    /**
     * Sends a plugin message; completes with the synchronous success, or with the event that
     * carries the same transaction after Janus's ack.
     */
    CompletableFuture<JanusApi.Reply> message(long handle, ObjectNode body, String sdpType, String sdp) {
        return send(handleUri(handle), JanusApi.message(nextTransaction(), body, sdpType, sdp));
    }

    /** Janus acknowledges a trickle and sends nothing after it. */
    CompletableFuture<JanusApi.Reply> trickleCompleted(long handle) {
        return send(handleUri(handle), JanusApi.trickleCompleted(nextTransaction()), true);
    }

    private URI handleUri(long handle) {
        return URI.create(base + "/" + sessionId + "/" + handle);
    }

    private String nextTransaction() {
        return "lg" + transactions.incrementAndGet();
    }

    private CompletableFuture<JanusApi.Reply> send(URI uri, ObjectNode message) {
        return send(uri, message, false);
    }

    /** @param ackEnds the request's ack is its whole answer (trickle, keepalive) */
    private CompletableFuture<JanusApi.Reply> send(URI uri, ObjectNode message, boolean ackEnds) {
        String transaction = message.path("transaction").asText();
        CompletableFuture<JanusApi.Reply> result = new CompletableFuture<>();
        pending.put(transaction, result);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(message.toString())).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            if (error != null) {
                fail(transaction, error);
                return;
            }
            JanusApi.Reply reply;
            try {
                reply = JanusApi.readOne(response.body());
            } catch (IllegalArgumentException e) {
                fail(transaction, e);
                return;
            }
            if (ackEnds || !reply.isAck()) {
                // A synchronous answer (success or error) ends the request; an ack waits for its event.
                complete(reply);
            }
        });
        return result;
    }

    private void fail(String transaction, Throwable error) {
        CompletableFuture<JanusApi.Reply> f = pending.remove(transaction);
        if (f != null) {
            callbacks.execute(() -> f.completeExceptionally(error));
        }
    }

    private void complete(JanusApi.Reply reply) {
        CompletableFuture<JanusApi.Reply> f = reply.transaction() == null ? null : pending.remove(reply.transaction());
        if (f != null) {
            // Off the poller: whatever the caller chains next (SDP, sockets) must not hold up events.
            callbacks.execute(() -> f.complete(reply));
            return;
        }
        Consumer<JanusApi.Reply> listener = handleListeners.get(reply.sender());
        if (listener != null) {
            callbacks.execute(() -> listener.accept(reply));
        } else if (!"keepalive".equals(reply.janus()) && !"ack".equals(reply.janus())) {
            LOG.debug("Janus event for no one: {}", reply);
        }
    }

    private void poll() {
        URI uri = URI.create(base + "/" + sessionId + "?maxev=" + MAX_EVENTS_PER_POLL);
        int failures = 0;
        while (!closed) {
            try {
                // Janus answers a long poll after 30 s with a keepalive event when nothing happened.
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(40)).GET().build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                for (JanusApi.Reply reply : JanusApi.readEvents(response.body())) {
                    complete(reply);
                }
                failures = 0;
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (++failures % 10 == 1) {
                    LOG.warn("Janus long poll failed ({} in a row): {}", failures, e.toString());
                }
                try {
                    Thread.sleep(Math.min(1000, 50L * failures));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    static String describe(JanusApi.Reply reply) {
        return reply.error() != null ? reply.error() : reply.janus() + (reply.videoroom() == null ? ""
                : " " + reply.videoroom());
    }

    private static String post(HttpClient http, URI uri, ObjectNode message) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(message.toString())).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("Janus answered HTTP " + response.statusCode() + " to " + uri);
        }
        return response.body();
    }

    /** Destroys the session, which hangs up every handle in it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        keepalive.shutdownNow();
        try {
            post(http, URI.create(base + "/" + sessionId), JanusApi.destroy(nextTransaction()));
        } catch (IOException e) {
            LOG.debug("Janus session destroy failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poller.interrupt();
        for (CompletableFuture<JanusApi.Reply> f : pending.values()) {
            f.completeExceptionally(new IllegalStateException("Janus session closed"));
        }
        pending.clear();
    }
}
