package dev.relay.loadgen;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a run needs, validated once from the command line: a typed record read once at
 * start, so a bad option fails the run before any peer starts.
 *
 * @param scenario            what the rooms look like
 * @param size                subscribers per room (broadcast) or participants per room (meeting, audio)
 * @param rooms               independent rooms of the scenario
 * @param durationSeconds     measurement window
 * @param warmupSeconds       excluded from the window, after every stream flows
 * @param videoBitrateKbps    target bitrate of each synthetic camera
 * @param keyframeIntervalSeconds periodic keyframes (plus one per PLI/FIR)
 * @param pacingFactor        video packets leave at this multiple of the bitrate; 0 = one burst per frame
 * @param loops               load generator I/O threads
 * @param decryptEvery        decrypt every n-th packet of a stream for its latency probe (1 = all)
 * @param connectTimeoutSeconds time allowed for every peer to join and every stream to flow
 * @param relayUri            an external relay's HTTP base, or null to start a child relay
 * @param relayPid            the external relay's pid for CPU accounting, or -1
 * @param relayJar            the relay jar to start as a child
 * @param relayWorkers        --workers for the child relay, or null for its default
 * @param relayIoThreads      --io-threads for the child relay, or null for its default
 * @param relayJvmArgs        extra JVM arguments for the child relay
 * @param relayLog            where the child relay's output goes
 * @param json                also print the report as one JSON object
 * @param tokens              access tokens for the peers (and the child relay's API key), or null
 * @param iceTcp              every peer uses the relay's passive ICE-TCP candidate (RFC 6544) instead of UDP
 */
record RunConfig(
        Scenario scenario,
        int size,
        int rooms,
        int durationSeconds,
        int warmupSeconds,
        int videoBitrateKbps,
        double keyframeIntervalSeconds,
        double pacingFactor,
        int loops,
        int decryptEvery,
        int connectTimeoutSeconds,
        URI relayUri,
        long relayPid,
        Path relayJar,
        Integer relayWorkers,
        Integer relayIoThreads,
        List<String> relayJvmArgs,
        Path relayLog,
        boolean json,
        PeerTokens tokens,
        boolean iceTcp) {

    static final int MAX_DURATION_SECONDS = 300;
    static final int MAX_PEERS = 1000;

    int peers() {
        return scenario.peersPerRoom(size) * rooms;
    }
}
