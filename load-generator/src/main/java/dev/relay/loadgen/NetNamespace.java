package dev.relay.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network namespace for the server under test, joined to the load generator's namespace by a
 * veth pair: the load generator's end is {@code 198.18.N.1/24}, the server's {@code 198.18.N.2/24}
 * (RFC 2544's benchmarking range), and {@code lo} is up inside. Both servers' media then crosses
 * the same kind of path, which is not {@code lo} (Janus never sends media over loopback). Needs
 * root (CAP_NET_ADMIN) and iproute2. {@link #close} removes the pair and the namespace.
 */
final class NetNamespace implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetNamespace.class);
    private static final Pattern USED_SUBNET = Pattern.compile("\\b198\\.18\\.(\\d{1,3})\\.\\d{1,3}/");

    /**
     * Names and addresses of one namespace; pure, so the commands can be checked without root.
     *
     * @param name   the namespace, e.g. lg123-0
     * @param hostIf our end of the veth pair (15 characters at most, IFNAMSIZ)
     * @param nsIf   the server's end, moved into the namespace
     * @param subnet N in 198.18.N.0/24
     */
    record Plan(String name, String hostIf, String nsIf, int subnet) {
        Plan {
            if (hostIf.length() > 15 || nsIf.length() > 15) {
                throw new IllegalArgumentException("interface names are at most 15 characters: " + hostIf);
            }
            if (subnet < 1 || subnet > 254) {
                throw new IllegalArgumentException("subnet must be 1..254: " + subnet);
            }
        }

        /** Names from our pid and a per-run counter, so concurrent runs do not collide. */
        static Plan of(long pid, int index, int subnet) {
            String tag = Long.toString(pid % 1_000_000) + "x" + index;
            return new Plan("lg" + tag, "lg" + tag + "a", "lg" + tag + "b", subnet);
        }

        String hostAddress() {
            return "198.18." + subnet + ".1";
        }

        String serverAddress() {
            return "198.18." + subnet + ".2";
        }

        List<List<String>> setupCommands() {
            return List.of(
                    List.of("ip", "netns", "add", name),
                    List.of("ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf),
                    List.of("ip", "link", "set", nsIf, "netns", name),
                    List.of("ip", "addr", "add", hostAddress() + "/24", "dev", hostIf),
                    List.of("ip", "link", "set", hostIf, "up"),
                    List.of("ip", "-n", name, "addr", "add", serverAddress() + "/24", "dev", nsIf),
                    List.of("ip", "-n", name, "link", "set", nsIf, "up"),
                    List.of("ip", "-n", name, "link", "set", "lo", "up"));
        }

        /** Deleting one end of a veth pair deletes both; deleting the namespace is the rest. */
        List<List<String>> teardownCommands() {
            return List.of(List.of("ip", "link", "del", hostIf), List.of("ip", "netns", "del", name));
        }

        /** Runs {@code command} inside the namespace. */
        List<String> exec(List<String> command) {
            List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", name));
            out.addAll(command);
            return out;
        }
    }

    /** The first N from {@code start} (wrapping in 1..254) that no address in {@code ipAddrOutput} uses. */
    static int freeSubnet(String ipAddrOutput, int start) {
        Set<Integer> used = new HashSet<>();
        Matcher m = USED_SUBNET.matcher(ipAddrOutput);
        while (m.find()) {
            used.add(Integer.parseInt(m.group(1)));
        }
        for (int i = 0; i < 254; i++) {
            int n = 1 + Math.floorMod(start - 1 + i, 254);
            if (!used.contains(n)) {
                return n;
            }
        }
        throw new IllegalStateException("every 198.18.N.0/24 is in use");
    }

    private final Plan plan;
    private volatile boolean closed;

    private NetNamespace(Plan plan) {
        this.plan = plan;
    }

    /** Creates a namespace on a free 198.18.N.0/24; undoes what it did if a step fails. */
    static NetNamespace create(int index) throws IOException, InterruptedException {
        String addresses = run(List.of("ip", "-4", "-o", "addr", "show"));
        long pid = ProcessHandle.current().pid();
        Plan plan = Plan.of(pid, index, freeSubnet(addresses, (int) (pid % 200) + 20 + index));
        NetNamespace ns = new NetNamespace(plan);
        try {
            for (List<String> command : plan.setupCommands()) {
                run(command);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            ns.close();
            throw e;
        }
        LOG.info("namespace {}: {} (ours) <-> {} ({})", plan.name(), plan.hostAddress(), plan.serverAddress(),
                plan.nsIf());
        return ns;
    }

    Plan plan() {
        return plan;
    }

    /** Whether this process may create namespaces: root and an {@code ip} binary. */
    static String unavailableReason() {
        if (effectiveUid() != 0) {
            return "network namespaces need root (ip netns add); run as root";
        }
        try {
            run(List.of("ip", "netns", "list"));
            return null;
        } catch (IOException e) {
            return "iproute2 'ip' is not usable: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The effective uid from /proc/self/status ({@code Uid: real effective saved fs}), or -1. */
    static long effectiveUid() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or unreadable: treat as not root.
        }
        return -1;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (List<String> command : plan.teardownCommands()) {
            try {
                run(command);
            } catch (IOException e) {
                LOG.debug("teardown step failed (already gone?): {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs a command to completion; its output, or an IOException with it when it fails. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + out.trim());
        }
        return out;
    }
}
