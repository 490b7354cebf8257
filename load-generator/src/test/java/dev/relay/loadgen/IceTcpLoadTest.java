package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code --ice-tcp} against a real relay child process: every peer's media goes over its one
 * ICE-TCP connection (RFC 6544, RFC 4571 framing) and arrives. The relay's own gauge says which
 * path each of its Transports selected, so "over TCP" is checked on the relay's side, not only
 * assumed from ours. Like the smoke test, it asserts delivery, not speed; the run itself takes
 * ~15 s, the timeout leaves room for a slow relay start on a loaded machine.
 */
class IceTcpLoadTest {

    @Test
    @Timeout(value = 90)
    void shouldCarryEveryPeersMediaOverIceTcp() {
        Path jar = Path.of("..", "signaling", "target", "relay.jar");
        assertTrue(Files.isRegularFile(jar), "relay jar missing at " + jar.toAbsolutePath()
                + ": build the reactor (mvn verify) or 'mvn -pl signaling -am package' first");
        LoadGenerator generator = new LoadGenerator();
        int exit = new CommandLine(generator).execute("--ice-tcp", "--scenario", "broadcast", "--subscribers", "3",
                "--duration", "4", "--warmup", "1", "--relay-jar", jar.toString(), "--relay-workers", "1",
                "--relay-io-threads", "1", "--loops", "2");
        RunReport report = generator.report();

        assertEquals(0, exit, () -> "exit status; report:\n" + (report == null ? "none" : report.toText()));
        assertTrue(report.config.iceTcp());
        assertEquals(6, report.streamsFlowing, report::toText);
        assertEquals(4.0, report.relayTransportsByProtocol.get("tcp"),
                () -> "the relay's 4 Transports (1 publish + 3 subscribe) selected ICE-TCP:\n" + report.toText());
        assertEquals(0.0, report.relayTransportsByProtocol.getOrDefault("udp", 0.0), report::toText);
        assertEquals(0, report.transportsFailed, report::toText);

        for (String subscriber : List.of("r0-sub0", "r0-sub1", "r0-sub2")) {
            List<LoopResult.StreamResult> own = report.streams.stream()
                    .filter(s -> s.subscriber().equals(subscriber)).collect(Collectors.toList());
            assertTrue(own.stream().anyMatch(s -> !s.video() && s.windowReceived() > 0), subscriber + " audio: " + own);
            assertTrue(own.stream().anyMatch(s -> s.video() && s.windowReceived() > 0), subscriber + " video: " + own);
            for (LoopResult.StreamResult s : own) {
                assertEquals(0, s.misrouted(), s::toString);
                assertEquals(0, s.decryptFailures(), s::toString);
            }
        }
        // Loopback TCP loses nothing: a packet missing in the window is one the relay dropped on
        // purpose and counted (media older than its limit when the shared machine stalls, a full
        // TCP send queue), each inbound drop costing one packet per subscriber. 1 % slack for the
        // window's edges.
        assertTrue(report.packetsReceived() > 0, report::toText);
        double relayDrops = report.dropsInWindow.values().stream().mapToDouble(Double::doubleValue).sum();
        assertTrue(report.packetsLost() <= 0.01 * report.packetsExpected() + 3 * relayDrops,
                () -> "loss the relay's drops do not explain:\n" + report.toText());
        assertTrue(report.allLatency.count() > 0, "latency samples");
    }

    @Test
    void shouldRefuseIceTcpTowardsJanus() {
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new LoadGenerator()).setErr(new PrintWriter(err));
        int exit = command.execute("--ice-tcp", "--target", "janus");
        assertEquals(2, exit);
        assertTrue(err.toString().contains("--ice-tcp is for --target relay"), err::toString);
    }
}
