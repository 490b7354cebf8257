package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Runs the real command against a real relay child process (signaling/target/relay.jar, which
 * the reactor packages before this module) and checks what a user of the report relies on:
 * every subscriber got the publisher's audio and video, and the numbers add up. It asserts no
 * speed: timing belongs in the benchmark runs, not in tests.
 */
class LoadGeneratorSmokeTest {

    @Test
    @Timeout(value = 90)
    void shouldDeliverThePublishersAudioAndVideoToEverySubscriber() {
        Path jar = Path.of("..", "signaling", "target", "relay.jar");
        assertTrue(Files.isRegularFile(jar), "relay jar missing at " + jar.toAbsolutePath()
                + ": build the reactor (mvn verify) or 'mvn -pl signaling -am package' first");
        LoadGenerator generator = new LoadGenerator();
        int exit = new CommandLine(generator).execute("--scenario", "broadcast", "--subscribers", "2",
                "--duration", "3", "--warmup", "1", "--relay-jar", jar.toString(), "--relay-workers", "1",
                "--relay-io-threads", "1", "--loops", "1");
        RunReport report = generator.report();

        assertEquals(0, exit, () -> "exit status; report:\n" + (report == null ? "none" : report.toText()));
        assertEquals(3, report.peers);
        assertEquals(4, report.streamsExpected, "2 subscribers x (audio + video)");
        assertEquals(4, report.streamsFlowing, report::toText);

        List<LoopResult.StreamResult> streams = report.streams;
        for (String subscriber : List.of("r0-sub0", "r0-sub1")) {
            List<LoopResult.StreamResult> own = streams.stream().filter(s -> s.subscriber().equals(subscriber))
                    .collect(Collectors.toList());
            assertTrue(own.stream().anyMatch(s -> !s.video() && s.totalReceived() > 0 && s.windowReceived() > 0),
                    subscriber + " received no audio: " + own);
            assertTrue(own.stream().anyMatch(s -> s.video() && s.totalReceived() > 0 && s.windowReceived() > 0),
                    subscriber + " received no video: " + own);
            for (LoopResult.StreamResult s : own) {
                assertEquals(0, s.publisher(), "every stream comes from the broadcast's publisher (peer 0)");
                assertEquals(0, s.misrouted(), "packets carried another publisher's probe");
                assertTrue(s.windowReceived() <= s.windowExpected(), s::toString);
            }
        }

        assertTrue(report.packetsSent() > 0, report::toText);
        assertTrue(report.packetsReceived() > 0, report::toText);
        assertTrue(report.packetsReceived() <= report.packetsExpected(), report::toText);
        double loss = report.lossPercent();
        assertTrue(loss >= 0 && loss <= 100, "loss " + loss);
        assertTrue(report.allLatency.count() > 0, "latency samples");
        assertTrue(report.allLatency.percentileMicros(0.5) <= report.allLatency.percentileMicros(0.99));
        assertTrue(report.allLatency.percentileMicros(0.99) <= report.allLatency.maxMicros());
        assertTrue(report.relayCpuSeconds >= 0, "relay CPU read from /proc: " + report.relayCpuSeconds);
        assertTrue(report.heapMaxBytes > 0, "relay heap scraped from /metrics");
        assertTrue(report.windowSeconds >= Duration.ofSeconds(3).toMillis() / 1000.0 * 0.9);
    }

    /** With --api-key/--api-secret the child relay requires tokens, and every peer carries one. */
    @Test
    @Timeout(value = 90)
    void shouldJoinWithTokensWhenTheRelayHasKeys(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path jar = Path.of("..", "signaling", "target", "relay.jar");
        assertTrue(Files.isRegularFile(jar), "relay jar missing at " + jar.toAbsolutePath());
        Path log = dir.resolve("relay.log");
        LoadGenerator generator = new LoadGenerator();
        int exit = new CommandLine(generator).execute("--scenario", "broadcast", "--subscribers", "1",
                "--duration", "2", "--warmup", "1", "--relay-jar", jar.toString(), "--relay-workers", "1",
                "--relay-io-threads", "1", "--loops", "1", "--relay-log", log.toString(),
                "--api-key", "APIloadgen", "--api-secret", "loadgen-secret-0123456789abcdefghijkl");
        RunReport report = generator.report();
        assertEquals(0, exit, () -> "exit status; report:\n" + (report == null ? "none" : report.toText()));
        assertEquals(2, report.streamsFlowing, report::toText);
        String relayLog = Files.readString(log);
        assertTrue(relayLog.contains("access tokens required"), "the child relay had the key: " + relayLog);
        assertTrue(!relayLog.contains("loadgen-secret"), "no secret in the relay's log");
    }
}
