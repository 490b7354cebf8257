package dev.relay.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time from Linux procfs (proc(5)): a process's utime + stime from {@code /proc/PID/stat}
 * and the machine's busy time from {@code /proc/stat}, both in clock ticks.
 */
final class ProcStat {
    private static final long CLOCK_TICKS = readClockTicks();

    private ProcStat() {
    }

    /** {@code sysconf(_SC_CLK_TCK)}, via {@code getconf CLK_TCK}; 100 on every mainstream kernel build. */
    static long clockTicksPerSecond() {
        return CLOCK_TICKS;
    }

    /**
     * utime + stime of {@code pid} in ticks (fields 14 and 15 of /proc/PID/stat), or -1 if it
     * cannot be read. The command name (field 2) may contain spaces and parentheses, so fields
     * are counted from the last ')'.
     */
    static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** VmRSS of {@code pid} in bytes from /proc/PID/status (reported in kB), or -1 if unreadable. */
    static long rssBytes(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            return parseVmRssBytes(Files.readString(Path.of("/proc", Long.toString(pid), "status"),
                    StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The {@code VmRSS:   1234 kB} line of a /proc/PID/status text, in bytes; -1 without one. */
    static long parseVmRssBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] t = line.substring(6).trim().split("\s+");
                return Long.parseLong(t[0]) * 1024;
            }
        }
        return -1;
    }

    /** Busy and total ticks of all CPUs from the first line of /proc/stat: {busy, total}, or null. */
    static long[] machineTicks() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0);
            String[] t = first.trim().split("\\s+");
            long total = 0;
            // user nice system idle iowait irq softirq steal (guest time is already in user).
            for (int i = 1; i <= 8 && i < t.length; i++) {
                total += Long.parseLong(t[i]);
            }
            long idle = Long.parseLong(t[4]) + (t.length > 5 ? Long.parseLong(t[5]) : 0);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The kernel's UDP counters from /proc/net/snmp (RFC 4113 names): InErrors, RcvbufErrors,
     * SndbufErrors, machine-wide, so over loopback they cover the relay's and our sockets.
     * Null if unreadable.
     */
    static long[] udpErrors() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"), StandardCharsets.US_ASCII);
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    List<String> names = List.of(lines.get(i).trim().split("\\s+"));
                    String[] values = lines.get(i + 1).trim().split("\\s+");
                    return new long[] {
                        Long.parseLong(values[names.indexOf("InErrors")]),
                        Long.parseLong(values[names.indexOf("RcvbufErrors")]),
                        Long.parseLong(values[names.indexOf("SndbufErrors")])};
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The 1-minute load average from /proc/loadavg, or NaN. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static long readClockTicks() {
        try {
            Process process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            process.waitFor();
            long ticks = Long.parseLong(out);
            return ticks > 0 ? ticks : 100;
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
