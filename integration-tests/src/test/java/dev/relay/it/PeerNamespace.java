package dev.relay.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network namespace of its own for one peer, joined to the host by a veth pair: the host side
 * gets {@link #hostAddress()}, the namespace side {@link #peerAddress()}: .1 and .2 of a /30 in
 * 10.77.0.0/16 that no interface here uses yet, searched from one the pid picks so that two JVMs
 * do not race for the same. A relay bound to the host address is reached from inside, and a
 * process started with {@link #start} runs inside.
 *
 * <p>Impairment is nftables in the namespace ({@code tc netem} is missing from these kernels,
 * RUNBOOK "Network impairment"): {@link #setInboundLoss} drops that share of the UDP datagrams
 * arriving in the namespace, at random ({@code numgen random mod 100 < N drop} on the input hook).
 * Only what the peer receives is lost: its RTCP (NACKs, PLIs, receiver reports) and its own
 * published media reach the relay intact, so a repair the relay sends can be lost but a request for
 * one cannot.
 *
 * <p>Everything is created here and removed by {@link #close}, or on JVM exit if a test did not
 * get there. Needs root with CAP_NET_ADMIN, {@code ip} and {@code nft}; {@link #create} aborts the
 * test (a JUnit assumption) when any of them is missing.
 */
final class PeerNamespace implements AutoCloseable {

    private static final List<Path> SBIN =
            List.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/bin"), Path.of("/bin"));
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final String TABLE = "relay_it_loss";
    private static final String BLOCK_TABLE = "relay_it_udp_block";
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes \\d+");
    /** A command here is a netlink call or two; far longer means something is wrong. */
    private static final long COMMAND_TIMEOUT_SECONDS = 10;

    private final String name;
    private final String hostLink;
    private final String peerLink;
    private final String hostAddress;
    private final String peerAddress;
    private final Path ip;
    private final Path nft;
    private final AtomicInteger nextPort = new AtomicInteger(9515);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** What {@link #start} started, stopped with the namespace if still running. */
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final Thread onExit;

    private PeerNamespace(String name, String hostLink, String hostAddress, String peerAddress, Path ip, Path nft) {
        this.name = name;
        this.hostLink = hostLink;
        this.peerLink = "rit" + hostLink.substring(3, hostLink.length() - 1) + "p";
        this.hostAddress = hostAddress;
        this.peerAddress = peerAddress;
        this.ip = ip;
        this.nft = nft;
        this.onExit = new Thread(this::removeAll, "remove-" + name);
    }

    /**
     * Creates the namespace, the veth pair and an empty loss table; aborts the calling test when
     * this machine cannot (not root, no {@code ip} or {@code nft}, namespaces not permitted).
     */
    static PeerNamespace create() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "skipped: network namespaces need root (running as " + System.getProperty("user.name") + ")");
        Path ip = find("ip");
        Path nft = find("nft");
        Assumptions.assumeTrue(ip != null, "skipped: no ip command (apt-get install -y iproute2)");
        Assumptions.assumeTrue(nft != null, "skipped: no nft command (apt-get install -y nftables)");

        // Interface names have at most 15 characters; the pid keeps two JVMs apart.
        String tag = Long.toString(ProcessHandle.current().pid(), 36) + SEQUENCE.incrementAndGet();
        String name = "relay-it-" + tag;
        String hostLink = "rit" + tag + "h";
        String peerLink = "rit" + tag + "p";
        int block = freeBlock(ip);
        String hostAddress = "10.77." + (block * 4 / 256) + "." + (block * 4 % 256 + 1);
        String peerAddress = "10.77." + (block * 4 / 256) + "." + (block * 4 % 256 + 2);

        Result added = run(List.of(ip.toString(), "netns", "add", name), null);
        Assumptions.assumeTrue(added.exit == 0, "skipped: ip netns add failed: " + added.output.strip());
        PeerNamespace ns = new PeerNamespace(name, hostLink, hostAddress, peerAddress, ip, nft);
        Runtime.getRuntime().addShutdownHook(ns.onExit);
        try {
            String i = ip.toString();
            ns.must(i, "link", "add", hostLink, "type", "veth", "peer", "name", peerLink);
            // No IPv6 link-local addresses: one would appear a second or two after the link comes
            // up (duplicate address detection), and Chromium on the host takes that for a network
            // change and aborts the page loads in flight (net::ERR_NETWORK_CHANGED).
            ns.must(i, "link", "set", hostLink, "addrgenmode", "none");
            ns.must(i, "link", "set", peerLink, "addrgenmode", "none");
            ns.must(i, "link", "set", peerLink, "netns", name);
            ns.must(i, "addr", "add", hostAddress + "/30", "dev", hostLink);
            ns.must(i, "link", "set", hostLink, "up");
            ns.must(i, "-n", name, "addr", "add", peerAddress + "/30", "dev", peerLink);
            ns.must(i, "-n", name, "link", "set", peerLink, "up");
            ns.must(i, "-n", name, "link", "set", "lo", "up");
            Result table = ns.nft(lossRuleset(0));
            Assumptions.assumeTrue(table.exit == 0, "skipped: nft in a namespace failed: " + table.output.strip());
        } catch (RuntimeException | Error e) {
            ns.close();
            throw e;
        }
        System.out.printf("namespace %s: host %s (%s) <-> peer %s%n", name, hostAddress, hostLink, peerAddress);
        return ns;
    }

    /**
     * Limits what reaches the peer to {@code kbit} kbit/s: a token bucket ({@code tc qdisc tbf})
     * on the host end of the veth, whose egress is the peer's downlink; 0 removes it. {@code tc
     * netem} is missing from these kernels, tbf is not. The bucket holds 4 kB (a few packets) and
     * queues up to 100 ms beyond it, as a bottleneck router's queue does; a bucket of 16 kB would
     * let 320 ms of line rate through at 400 kbit/s, which any short probe would take for capacity
     * (docs/quality.md "Downlink estimate and allocation").
     */
    void setDownlinkRate(int kbit) {
        Path tc = find("tc");
        if (tc == null) {
            throw new IllegalStateException("no tc command (apt-get install -y iproute2)");
        }
        if (kbit <= 0) {
            run(List.of(tc.toString(), "qdisc", "del", "dev", hostLink, "root"), null);
            return;
        }
        must(tc.toString(), "qdisc", "replace", "dev", hostLink, "root", "tbf", "rate", kbit + "kbit", "burst", "4kb",
                "latency", "100ms");
    }

    String name() {
        return name;
    }

    /**
     * Takes the namespace's end of the veth pair down or up: the peer's only path to the relay is
     * cut (its sockets stay, its packets go nowhere), as when a laptop loses its Wi-Fi. The
     * address stays configured, so {@code up} restores the same path. While it is down, nothing
     * in the namespace can be reached: a browser there cannot be driven either.
     */
    void setPeerLinkUp(boolean up) {
        must(ip.toString(), "-n", name, "link", "set", peerLink, up ? "up" : "down");
    }

    /** The host end of the veth pair: bind and advertise the relay here so the peer reaches it. */
    String hostAddress() {
        return hostAddress;
    }

    /** The namespace end of the veth pair. */
    String peerAddress() {
        return peerAddress;
    }

    /** A TCP port for a server started in the namespace (nothing else listens there). */
    int nextPort() {
        return nextPort.getAndIncrement();
    }

    /**
     * Drops {@code percent} % of the UDP datagrams entering the namespace, each at random; 0 stops
     * dropping. The rule and its counters are replaced atomically (one nft transaction).
     */
    void setInboundLoss(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("loss percent " + percent);
        }
        Result result = nft(lossRuleset(percent));
        if (result.exit != 0) {
            throw new IllegalStateException("nft: " + result.output);
        }
    }

    /**
     * Blocks all UDP into and out of the namespace ({@code blocked}) or lets it through again, as
     * a network that allows only TCP (a corporate or hotel firewall) does. Returns the UDP
     * datagrams the block dropped since it was set, when it is lifted (0 when setting it).
     */
    long setUdpBlocked(boolean blocked) {
        long dropped = 0;
        if (!blocked) {
            Result listed = run(List.of(ip.toString(), "netns", "exec", name, nft.toString(),
                    "list", "table", "inet", BLOCK_TABLE), null);
            Matcher m = COUNTER.matcher(listed.output);
            while (m.find()) {
                dropped += Long.parseLong(m.group(1));
            }
        }
        String ruleset = "table inet " + BLOCK_TABLE + "\n"
                + "delete table inet " + BLOCK_TABLE + "\n"
                + (blocked ? "table inet " + BLOCK_TABLE + " {\n"
                        + "  chain inbound {\n"
                        + "    type filter hook input priority -10; policy accept;\n"
                        + "    meta l4proto udp counter drop\n"
                        + "  }\n"
                        + "  chain outbound {\n"
                        + "    type filter hook output priority -10; policy accept;\n"
                        + "    meta l4proto udp counter drop\n"
                        + "  }\n"
                        + "}\n" : "");
        Result result = nft(ruleset);
        if (result.exit != 0) {
            throw new IllegalStateException("nft: " + result.output);
        }
        return dropped;
    }

    /** UDP datagrams that entered the namespace, and those dropped, since the last {@link #setInboundLoss}. */
    LossCounters lossCounters() {
        Result listed = run(List.of(ip.toString(), "netns", "exec", name, nft.toString(),
                "list", "table", "inet", TABLE), null);
        if (listed.exit != 0) {
            throw new IllegalStateException("nft list: " + listed.output);
        }
        Matcher m = COUNTER.matcher(listed.output);
        long[] counts = new long[2];
        for (int i = 0; i < 2 && m.find(); i++) {
            counts[i] = Long.parseLong(m.group(1));
        }
        return new LossCounters(counts[0], counts[1]);
    }

    record LossCounters(long udpIn, long dropped) {
        double percent() {
            return udpIn == 0 ? 0 : 100.0 * dropped / udpIn;
        }
    }

    /**
     * Lets this namespace and {@code other} reach each other through the host: a route to the
     * other's address in each, and forwarding on the two host ends of the veth pairs only
     * (net.ipv4.conf.IFACE.forwarding: the host's global ip_forward stays as it is). Both go
     * with the namespaces.
     */
    void connect(PeerNamespace other) {
        must(ip.toString(), "-n", name, "route", "add", other.peerAddress + "/32", "via", hostAddress);
        must(ip.toString(), "-n", other.name, "route", "add", peerAddress + "/32", "via", other.hostAddress);
        for (String link : List.of(hostLink, other.hostLink)) {
            try {
                java.nio.file.Files.writeString(Path.of("/proc/sys/net/ipv4/conf", link, "forwarding"), "1");
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot enable forwarding on " + link + ": " + e, e);
            }
        }
    }

    /**
     * Starts {@code command} inside the namespace ({@code ip netns exec}), its output appended to
     * {@code log}. Whatever still runs of it (and its children) is killed by {@link #close}.
     */
    Process start(List<String> command, Path log) throws IOException {
        List<String> full = new ArrayList<>(List.of(ip.toString(), "netns", "exec", name));
        full.addAll(command);
        Process process = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        processes.add(process);
        return process;
    }

    /** Kills what {@link #start} started that still runs, then removes the namespace and the veth pair. */
    @Override
    public void close() {
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs removeAll, which is idempotent.
        }
    }

    private void removeAll() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        // Deleting the namespace takes its veth end, and with it the pair; the host end is
        // deleted as well in case the pair was made but never moved in.
        run(List.of(ip.toString(), "netns", "delete", name), null);
        run(List.of(ip.toString(), "link", "delete", hostLink), null);
    }

    /**
     * One table with two counters on the input hook: every UDP datagram in, then the share
     * dropped. Declaring the table first makes the delete succeed on the first call too.
     */
    private static String lossRuleset(int percent) {
        String drop = percent == 0 ? "" : "    meta l4proto udp numgen random mod 100 < " + percent + " counter drop\n";
        return "table inet " + TABLE + "\n"
                + "delete table inet " + TABLE + "\n"
                + "table inet " + TABLE + " {\n"
                + "  chain inbound {\n"
                + "    type filter hook input priority 0; policy accept;\n"
                + "    meta l4proto udp counter\n"
                + drop
                + "  }\n"
                + "}\n";
    }

    private Result nft(String ruleset) {
        return run(List.of(ip.toString(), "netns", "exec", name, nft.toString(), "-f", "-"), ruleset);
    }

    private void must(String... command) {
        Result result = run(List.of(command), null);
        if (result.exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + result.output.strip());
        }
    }

    /** The first /30 of 10.77.0.0/16, from one the pid picks, that no interface here has an address in. */
    private static int freeBlock(Path ip) {
        String addresses = run(List.of(ip.toString(), "-o", "-4", "addr", "show"), null).output;
        int start = (int) (ProcessHandle.current().pid() % 16384);
        for (int i = 0; i < 16384; i++) {
            int block = (start + i) % 16384;
            String prefix = "10.77." + (block * 4 / 256) + ".";
            int base = block * 4 % 256;
            boolean used = false;
            for (int host = 0; host < 4 && !used; host++) {
                used = addresses.contains(" " + prefix + (base + host) + "/");
            }
            if (!used) {
                return block;
            }
        }
        throw new IllegalStateException("no free /30 in 10.77.0.0/16");
    }

    private static Path find(String command) {
        return SBIN.stream().map(dir -> dir.resolve(command)).filter(Files::isExecutable).findFirst().orElse(null);
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, String stdin) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            // Small outputs only: read all before waiting cannot deadlock on a full pipe.
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, String.join(" ", command) + " timed out");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, String.join(" ", command) + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, String.join(" ", command) + ": interrupted");
        }
    }
}
