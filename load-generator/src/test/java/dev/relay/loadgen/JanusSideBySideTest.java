package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --target both} for real: the relay (signaling/target/relay.jar) and then Janus 1.1
 * (/usr/bin/janus, VideoRoom), each alone in a network namespace of its own behind a veth pair,
 * with the same synthetic peers. It checks that Janus's subscribers got the publisher's audio and
 * video with little loss and that the summary names both servers; it asserts no speed (a shared
 * 2-core CI machine is no place for that). Skipped without Janus or without root.
 */
class JanusSideBySideTest {

    @Test
    @Timeout(value = 150)
    void shouldRunTheSameBroadcastAgainstTheRelayAndJanus(@TempDir Path dir) throws Exception {
        String unavailable = JanusProcess.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, () -> "Janus side by side skipped: " + unavailable);
        Path jar = Path.of("..", "signaling", "target", "relay.jar");
        assertTrue(Files.isRegularFile(jar), "relay jar missing at " + jar.toAbsolutePath());

        LoadGenerator generator = new LoadGenerator();
        int exit = new CommandLine(generator).execute("--target", "both", "--scenario", "broadcast",
                "--subscribers", "3", "--duration", "3", "--warmup", "1", "--connect-timeout", "40",
                "--relay-jar", jar.toString(), "--relay-workers", "1", "--relay-io-threads", "1", "--loops", "1",
                "--relay-log", dir.resolve("loadgen-relay.log").toString());
        List<RunReport> reports = generator.reports();

        assertEquals(2, reports.size(), () -> "exit " + exit + ": one report per server");
        assertEquals(Target.RELAY, reports.get(0).target);
        assertEquals(Target.JANUS, reports.get(1).target);
        for (RunReport report : reports) {
            String who = report.target.label();
            assertEquals(6, report.streamsExpected, "3 subscribers x (audio + video)");
            assertEquals(6, report.streamsFlowing, () -> who + ":\n" + report.toText());
            assertTrue(report.network.startsWith("namespace "), who + " ran behind a veth pair: " + report.network);
            assertTrue(report.audioReceived > 0 && report.videoReceived > 0, () -> who + ":\n" + report.toText());
            // Generous: a loaded 2-core machine may drop a little, but not a stream's worth.
            assertTrue(report.lossPercent() < 5, () -> who + " loss:\n" + report.toText());
            assertTrue(report.relayCpuSeconds > 0, () -> who + " CPU from /proc:\n" + report.toText());
            assertTrue(report.serverRssMaxBytes > 0, () -> who + " RSS from /proc:\n" + report.toText());
            for (LoopResult.StreamResult s : report.streams) {
                assertEquals(0, s.publisher(), "every stream is the broadcast publisher's (peer 0)");
                assertEquals(0, s.misrouted(), s::toString);
            }
        }
        assertEquals(0, exit, () -> reports.get(1).toText());

        List<Comparison.Row> rows = new ArrayList<>();
        reports.forEach(r -> rows.add(Comparison.Row.of(r)));
        String table = new Comparison(rows).toText();
        assertTrue(table.contains("\nrelay ") && table.contains("\njanus ") && table.contains("relay/janus"), table);

        String namespaces = NetNamespace.run(List.of("ip", "netns", "list"));
        assertFalse(namespaces.contains("lg" + ProcessHandle.current().pid() % 1_000_000 + "x"),
                "namespaces torn down: " + namespaces);
    }
}
