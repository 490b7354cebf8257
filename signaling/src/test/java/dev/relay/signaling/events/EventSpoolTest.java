package dev.relay.signaling.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventSpoolTest {
    /** 100 bytes a record (8 header + 92 payload), 10 records a segment. */
    private static final int PAYLOAD = 92;
    private static final long SEGMENT = 1000;

    @TempDir
    Path dir;

    private static byte[] payload(long n) {
        String s = String.format("%-" + PAYLOAD + "s", "event-" + n);
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static long number(byte[] payload) {
        return Long.parseLong(new String(payload, StandardCharsets.US_ASCII).trim().substring("event-".length()));
    }

    private EventSpool open(long maxBytes) throws IOException {
        return EventSpool.open(dir, maxBytes, SEGMENT);
    }

    private static List<Long> readAll(EventSpool spool) throws IOException {
        List<Long> out = new ArrayList<>();
        EventSpool.Entry e;
        while ((e = spool.next()) != null) {
            assertEquals(e.seq(), number(e.payload()), "seq and payload agree");
            out.add(e.seq());
        }
        return out;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(EventSpool.SUFFIX)).sorted().toList();
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void shouldReadBackAppendsInOrderAcrossSegments() throws Exception {
        try (EventSpool spool = open(100_000)) {
            for (long i = 0; i < 25; i++) {
                assertTrue(spool.append(payload(i)));
            }
            assertEquals(range(0, 25), readAll(spool));
            assertNull(spool.next(), "caught up");
            spool.append(payload(25));
            assertEquals(List.of(25L), readAll(spool), "a later append is read after");
            assertEquals(26, spool.records());
            assertEquals(2600, spool.bytes());
        }
        assertEquals(3, segments().size(), "10 records a segment");
        assertEquals("00000000000000000010.spool", segments().get(1).getFileName().toString());
    }

    @Test
    void shouldDeleteASegmentOnceEveryRecordInItIsAcknowledged() throws Exception {
        try (EventSpool spool = open(100_000)) {
            for (long i = 0; i < 25; i++) {
                spool.append(payload(i));
            }
            readAll(spool);
            spool.acknowledge(9);
            assertEquals(3, segments().size(), "record 9 of the first segment is not acknowledged");
            spool.acknowledge(20);
            assertEquals(1, segments().size());
            assertEquals(5, spool.records());
            assertEquals(500, spool.bytes());
            spool.acknowledge(25);
            assertEquals(0, segments().size(), "the active segment too, once all of it is acknowledged");
            assertEquals(0, spool.bytes());
            spool.append(payload(25));
            assertEquals(List.of(25L), readAll(spool), "numbering goes on in a new segment");
        }
    }

    @Test
    void shouldSendWhatWasNotAcknowledgedAgainAfterARestartThenNewRecords() throws Exception {
        try (EventSpool spool = open(100_000)) {
            for (long i = 0; i < 15; i++) {
                spool.append(payload(i));
            }
            readAll(spool);
            spool.acknowledge(6);
        }
        try (EventSpool spool = open(100_000)) {
            assertEquals(9, spool.records());
            assertEquals(15, spool.nextSeq());
            spool.append(payload(15));
            assertEquals(range(6, 16), readAll(spool), "the acknowledged prefix is skipped, order holds");
            spool.acknowledge(16);
        }
        try (EventSpool spool = open(100_000)) {
            assertEquals(0, spool.records());
            assertNull(spool.next());
            assertTrue(spool.append(payload(16)));
            assertEquals(List.of(16L), readAll(spool), "sequence numbers never go back");
        }
    }

    /** What a crash can leave at the end of the last segment, and the records that survive it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "half a header,             4,   '',        5",
            "a header without payload,  8,   '',        5",
            "a payload cut short,       50,  '',        5",
            "zeros where the file grew but was not written, 0, ZEROS, 5",
            "a flipped payload byte,    0,   FLIP_LAST, 4",
    })
    void shouldTruncateATornTailAndKeepTheWholeRecords(String what, int partialBytes, String damage, long kept)
            throws Exception {
        try (EventSpool spool = open(100_000)) {
            for (long i = 0; i < 5; i++) {
                spool.append(payload(i));
            }
        }
        Path segment = segments().get(0);
        byte[] whole = Files.readAllBytes(segment);
        if (partialBytes > 0) {
            // Record 5 written in part: its first bytes.
            java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(100);
            SpoolRecord.write(frame, payload(5));
            Files.write(segment, java.util.Arrays.copyOf(frame.array(), partialBytes), StandardOpenOption.APPEND);
        } else if (damage.equals("ZEROS")) {
            Files.write(segment, new byte[4096], StandardOpenOption.APPEND);
        } else {
            whole[whole.length - 1] ^= 0x01;
            Files.write(segment, whole);
        }

        try (EventSpool spool = open(100_000)) {
            assertEquals(kept, spool.records(), what);
            assertEquals(kept * 100, Files.size(segment), "truncated to the last whole record");
            assertTrue(spool.append(payload(kept)));
            assertEquals(range(0, kept + 1), readAll(spool), "what survived, then the new record");
        }
        try (EventSpool spool = open(100_000)) {
            assertEquals(kept + 1, spool.records(), "a clean spool the next time");
        }
    }

    @Test
    void shouldRefuseAnAppendBeyondTheBoundUntilAcknowledgementsMakeRoom() throws Exception {
        try (EventSpool spool = open(1000)) {
            for (long i = 0; i < 10; i++) {
                assertTrue(spool.append(payload(i)));
            }
            assertFalse(spool.append(payload(10)), "full: 1000 of 1000 bytes");
            assertEquals(10, spool.nextSeq(), "nothing written");
            assertTrue(spool.appendBeyondLimit(payload(10)), "a loss report may use the reserve");
            assertFalse(spool.append(payload(11)));
            readAll(spool);
            spool.acknowledge(11);
            assertEquals(0, spool.bytes());
            assertTrue(spool.append(payload(11)), "room again");
        }
    }

    @Test
    void shouldResendEverythingWhenTheAckFileIsDamaged() throws Exception {
        try (EventSpool spool = open(100_000)) {
            for (long i = 0; i < 5; i++) {
                spool.append(payload(i));
            }
            readAll(spool);
            spool.acknowledge(3);
        }
        Files.write(dir.resolve(EventSpool.ACK_FILE), new byte[] {1, 2, 3});
        try (EventSpool spool = open(100_000)) {
            assertEquals(range(0, 5), readAll(spool), "at least once: consumers dedupe by id");
        }
    }

    @Test
    void shouldStartEmptyInANewDirectory() throws Exception {
        try (EventSpool spool = EventSpool.open(dir.resolve("a/b"), 100_000)) {
            assertEquals(0, spool.records());
            assertNull(spool.next());
            assertEquals(0, spool.bytes());
        }
    }

    @Test
    void shouldGiveBackTheRecordsOfAFailedWriteAndKeepTheFileWhole() throws Exception {
        EventSpool.Opener failing = file -> new FailingChannel(EventSpool.FILES.open(file));
        try (EventSpool spool = EventSpool.open(dir, 100_000, SEGMENT, failing)) {
            for (long i = 0; i < 3; i++) {
                spool.append(payload(i));
            }
            spool.sync();
            for (long i = 3; i < 6; i++) {
                spool.append(payload(i));
            }
            FailingChannel.failing = true;
            try {
                assertThrows(IOException.class, spool::sync, "the volume is full");
            } finally {
                FailingChannel.failing = false;
            }
            assertEquals(List.of(3L, 4L, 5L), spool.takeDiscarded().stream().map(EventSpoolTest::number).toList(),
                    "appended, never written: the caller counts them as lost");
            assertEquals(3, spool.records());
            assertEquals(300, spool.bytes());
            assertTrue(spool.append(payload(6)), "appends go on, in a new segment");
            List<Long> read = new ArrayList<>();
            EventSpool.Entry e;
            while ((e = spool.next()) != null) {
                read.add(number(e.payload()));
            }
            assertEquals(List.of(0L, 1L, 2L, 6L), read);
        }
        assertEquals(2, segments().size());
        assertEquals(300, Files.size(segments().get(0)), "cut back to the last whole record");
        try (EventSpool spool = open(100_000)) {
            assertEquals(4, spool.records(), "a clean spool the next time");
        }
    }

    @Test
    void shouldRefuseASecondOpenWhileTheSpoolIsInUse() throws Exception {
        try (EventSpool spool = open(100_000)) {
            IOException e = assertThrows(IOException.class, () -> open(100_000));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        try (EventSpool again = open(100_000)) {
            assertEquals(0, again.records(), "free again once closed");
        }
    }
}
