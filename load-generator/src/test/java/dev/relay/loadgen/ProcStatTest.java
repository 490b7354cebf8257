package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** VmRSS from /proc/PID/status (proc(5)). */
class ProcStatTest {
    @Test
    void shouldReadVmRssInBytes() {
        String status = "Name:\tjanus\nVmPeak:\t  900000 kB\nVmRSS:\t   70844 kB\nRssAnon:\t 50000 kB\n";
        assertEquals(70_844L * 1024, ProcStat.parseVmRssBytes(status));
    }

    @Test
    void shouldSayUnknownWithoutVmRss() {
        assertEquals(-1, ProcStat.parseVmRssBytes("Name:\tkthreadd\nState:\tS (sleeping)\n"));
        assertEquals(-1, ProcStat.rssBytes(-1));
    }

    @Test
    void shouldReadOurOwnRss() {
        assertTrue(ProcStat.rssBytes(ProcessHandle.current().pid()) > 1024 * 1024);
    }
}
