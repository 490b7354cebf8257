package dev.relay.signaling;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Opens a pipe's control channel to the node holding its room: a WebSocket to its
 * {@link RoomPipes#PATH} (JDK client). Messages and the close are handed to the control thread;
 * sends are queued, one at a time, as the client requires.
 */
final class PipeDialer implements RoomPipes.Dialer {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client;
    private final Executor control;

    PipeDialer(Executor control) {
        this.control = control;
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    @Override
    public void dial(URI uri, Pipe pipe, RoomPipes pipes) {
        client.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT).buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                if (partial.length() + data.length() > RoomPipes.MAX_MESSAGE_CHARS) {
                    socket.abort();
                    control.execute(() -> pipes.closed(pipe, "message too long"));
                    return null;
                }
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    control.execute(() -> pipes.onText(pipe, text));
                }
                socket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
                control.execute(() -> pipes.closed(pipe, "closed by the other node (" + statusCode + ")"));
                return null;
            }

            @Override
            public void onError(WebSocket socket, Throwable error) {
                control.execute(() -> pipes.closed(pipe, "control channel failed: " + error));
            }
        }).whenComplete((socket, error) -> control.execute(() -> {
            if (error != null) {
                pipes.closed(pipe, "cannot reach " + uri + ": " + error);
            } else {
                pipes.connected(pipe, new Link(socket));
            }
        }));
    }

    /** Sends in order: the JDK client takes one message at a time. Control thread. */
    private static final class Link implements Pipe.Link {
        private final WebSocket socket;
        private CompletableFuture<WebSocket> last = CompletableFuture.completedFuture(null);

        Link(WebSocket socket) {
            this.socket = socket;
        }

        @Override
        public void send(String text) {
            last = last.thenCompose(ignored -> socket.sendText(text, true));
        }

        @Override
        public void close() {
            last.whenComplete((ignored, error) -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "")
                    .whenComplete((s, e) -> socket.abort()));
        }
    }
}
