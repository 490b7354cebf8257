package dev.relay.signaling.events;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events the broker has not acknowledged yet, on local disk (docs/events.md "The spool"):
 * append-only segment files in one directory, each named by the sequence number of its first
 * record ({@code 00000000000000000042.spool}), plus the file {@code acked} holding the sequence
 * number below which every record is acknowledged, and {@code lock}, locked while a relay has the
 * spool open.
 *
 * <p>Records are numbered 0, 1, 2... in append order, across restarts. A segment is deleted once
 * all its records are acknowledged; the spool holds at most {@code maxBytes} of segment files (a
 * full spool refuses an append, and the caller counts the event as lost). Appends reach the files
 * through a write buffer; {@link #sync} writes it out and forces it to the device, so the caller
 * decides how many events share one {@code fsync}.
 *
 * <p>Opening a spool recovers it: every segment is read, and at the first record that is cut short
 * (a crash during a write) or fails its CRC the file is truncated; the records before it are kept.
 *
 * <p>One thread owns a spool (the sink's publisher thread); nothing here is thread-safe except
 * the counters read by metrics.
 */
final class EventSpool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventSpool.class);
    static final String SUFFIX = ".spool";
    static final String ACK_FILE = "acked";
    static final String LOCK_FILE = "lock";
    private static final Pattern SEGMENT_NAME = Pattern.compile("(\\d{20})\\.spool");
    /** Room beyond the bound for loss reports ({@link #appendBeyondLimit}): they must not be lost themselves. */
    static final long REPORT_RESERVE = 256 * 1024;
    private static final int WRITE_BUFFER = 64 * 1024;

    /** One record read back. */
    record Entry(long seq, byte[] payload) {
    }

    private static final class Segment {
        final long base;
        final Path path;
        /** One past the last record's sequence number. */
        long end;
        /** Bytes on disk plus, for the active segment, bytes still in the write buffer. */
        long size;
        /** Of the active segment: bytes written to the file (the rest is in the write buffer). */
        long written;

        Segment(long base, Path path) {
            this.base = base;
            this.path = path;
            this.end = base;
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final ByteBuffer writeBuffer = ByteBuffer.allocate(WRITE_BUFFER);
    private final ByteBuffer header = ByteBuffer.allocate(SpoolRecord.HEADER_LENGTH);
    private final List<byte[]> discarded = new ArrayList<>();
    /** The segment appends go to; null until the first append after open or after it was deleted. */
    private Segment active;
    private FileChannel out;
    private boolean unsynced;
    private long nextSeq;
    private long acked;
    private long ackedOnDisk;
    private long bytes;
    // Read side: the next record to hand out.
    private long readSeq;
    private Segment readSegment;
    private FileChannel in;
    private long readPos;
    private long readCursor;
    // For metrics (any thread).
    private volatile long bytesGauge;
    private volatile long recordsGauge;

    /** How segment files are opened for appending: tests substitute a channel whose writes fail. */
    interface Opener {
        FileChannel open(Path file) throws IOException;
    }

    static final Opener FILES = file -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);

    private final Opener opener;
    private FileChannel lockChannel;
    private java.nio.channels.FileLock lock;

    private EventSpool(Path dir, long maxBytes, long segmentBytes, Opener opener) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.opener = opener;
    }

    /** Opens (and recovers) the spool in {@code dir}, creating the directory if needed. */
    static EventSpool open(Path dir, long maxBytes) throws IOException {
        return open(dir, maxBytes, segmentBytesFor(maxBytes));
    }

    /**
     * A segment is an eighth of the bound (4 KiB to 64 MiB): a partly acknowledged segment, which
     * cannot be deleted yet, then wastes at most an eighth of the room.
     */
    static long segmentBytesFor(long maxBytes) {
        return Math.max(4 * 1024, Math.min(64L << 20, maxBytes / 8));
    }

    static EventSpool open(Path dir, long maxBytes, long segmentBytes) throws IOException {
        return open(dir, maxBytes, segmentBytes, FILES);
    }

    static EventSpool open(Path dir, long maxBytes, long segmentBytes, Opener opener) throws IOException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("spool bound must be positive, not " + maxBytes);
        }
        Files.createDirectories(dir);
        EventSpool spool = new EventSpool(dir, maxBytes, segmentBytes, opener);
        spool.lock();
        try {
            spool.recover();
        } catch (IOException | RuntimeException e) {
            spool.unlock();
            throw e;
        }
        return spool;
    }

    /** Two relays appending to one spool would interleave their records: the second one refuses to start. */
    private void lock() throws IOException {
        lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("event spool " + dir + " is in use by another relay");
        }
    }

    private void unlock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.warn("event spool {}: releasing the lock: {}", dir, e.toString());
        }
        lock = null;
        lockChannel = null;
    }

    private void recover() throws IOException {
        Files.deleteIfExists(dir.resolve(ACK_FILE + ".tmp"));
        acked = readAckFile();
        List<Segment> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                Matcher m = SEGMENT_NAME.matcher(file.getFileName().toString());
                if (m.matches()) {
                    found.add(new Segment(Long.parseLong(m.group(1)), file));
                }
            }
        }
        found.sort((a, b) -> Long.compare(a.base, b.base));
        long previousEnd = 0;
        for (Segment segment : found) {
            if (segment.base < previousEnd) {
                throw new IOException("spool segment " + segment.path + " overlaps the one before it");
            }
            scan(segment);
            if (segment.end == segment.base || segment.end <= acked) {
                Files.delete(segment.path);
                continue;
            }
            previousEnd = segment.end;
            segments.add(segment);
            bytes += segment.size;
        }
        nextSeq = Math.max(acked, previousEnd);
        readSeq = acked;
        updateGauges();
        if (!segments.isEmpty()) {
            LOG.info("event spool {}: {} event(s) from before the restart, {} bytes, to send first", dir,
                    records(), bytes);
        }
    }

    /** Counts the valid records of a segment and truncates it at the first bad one. */
    private void scan(Segment segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = 0;
            long count = 0;
            ByteBuffer buf = ByteBuffer.allocate(WRITE_BUFFER);
            SpoolRecord.Check check = SpoolRecord.Check.TRUNCATED;
            while (pos < size) {
                header.clear();
                int n = readFully(ch, header, pos);
                int length = n == SpoolRecord.HEADER_LENGTH ? header.getInt(SpoolRecord.LENGTH_OFFSET) : 0;
                if (n == SpoolRecord.HEADER_LENGTH && (length < 1 || length > SpoolRecord.MAX_PAYLOAD)) {
                    check = SpoolRecord.Check.CORRUPT;
                    break;
                }
                int frame = SpoolRecord.frameLength(length);
                if (n < SpoolRecord.HEADER_LENGTH || size - pos < frame) {
                    check = SpoolRecord.Check.TRUNCATED;
                    break;
                }
                if (buf.capacity() < frame) {
                    buf = ByteBuffer.allocate(frame);
                }
                buf.clear().limit(frame);
                readFully(ch, buf, pos);
                check = SpoolRecord.check(buf, 0, frame);
                if (check != SpoolRecord.Check.VALID) {
                    break;
                }
                pos += frame;
                count++;
            }
            if (pos < size) {
                // A crash mid-write leaves a short or garbled last record; everything before it is whole.
                LOG.warn("event spool {}: {} record at byte {} ({} bytes) discarded; {} whole record(s) kept",
                        segment.path.getFileName(), check == SpoolRecord.Check.TRUNCATED ? "a torn" : "a corrupt",
                        pos, size - pos, count);
                ch.truncate(pos);
                ch.force(true);
            }
            segment.end = segment.base + count;
            segment.size = pos;
            segment.written = pos;
        }
    }

    private static int readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        buf.flip();
        return total;
    }

    /** Appends one record if it fits in the bound; false: the spool is full and nothing was written. */
    boolean append(byte[] payload) throws IOException {
        return append(payload, maxBytes);
    }

    /** Appends even over the bound, by at most {@link #REPORT_RESERVE}: for loss reports. */
    boolean appendBeyondLimit(byte[] payload) throws IOException {
        return append(payload, maxBytes + REPORT_RESERVE);
    }

    private boolean append(byte[] payload, long limit) throws IOException {
        if (payload.length < 1 || payload.length > SpoolRecord.MAX_PAYLOAD) {
            throw new IllegalArgumentException("an event of " + payload.length + " bytes does not fit a spool record");
        }
        int frame = SpoolRecord.frameLength(payload.length);
        if (bytes + frame > limit) {
            return false;
        }
        if (active == null || (active.size > 0 && active.size + frame > segmentBytes)) {
            roll();
        }
        if (writeBuffer.remaining() < frame) {
            flushWriteBuffer();
        }
        if (frame > writeBuffer.capacity()) {
            // Larger than the buffer (which was just flushed): written directly, or not at all.
            ByteBuffer big = ByteBuffer.allocate(frame);
            SpoolRecord.write(big, payload);
            big.flip();
            long before = active.written;
            try {
                while (big.hasRemaining()) {
                    active.written += out.write(big);
                }
            } catch (IOException e) {
                active.written = before;
                out.truncate(before);
                seal();
                throw e;
            }
        } else {
            SpoolRecord.write(writeBuffer, payload);
        }
        active.size += frame;
        bytes += frame;
        nextSeq++;
        active.end = nextSeq;
        unsynced = true;
        updateGauges();
        return true;
    }

    private void roll() throws IOException {
        if (active != null) {
            flushWriteBuffer();
            out.force(false);
            seal();
        }
        Segment segment = new Segment(nextSeq, dir.resolve(String.format("%020d%s", nextSeq, SUFFIX)));
        out = opener.open(segment.path);
        active = segment;
        segments.add(segment);
        syncDirectory();
    }

    /** The active segment takes no more appends; the next append starts a new one. */
    private void seal() throws IOException {
        FileChannel ch = out;
        out = null;
        active = null;
        unsynced = false;
        if (ch != null) {
            ch.close();
        }
    }

    private void flushWriteBuffer() throws IOException {
        if (writeBuffer.position() == 0) {
            return;
        }
        long before = active.written;
        writeBuffer.flip();
        try {
            while (writeBuffer.hasRemaining()) {
                active.written += out.write(writeBuffer);
            }
        } catch (IOException e) {
            writeFailed(before, e);
        }
        writeBuffer.clear();
    }

    /**
     * A write failed (the volume is full or failing): the records of the failed write are taken
     * back out ({@link #takeDiscarded}), the segment is cut back to what was written before and
     * sealed, so what follows never lands behind a partial record. Then rethrows.
     */
    private void writeFailed(long writtenBefore, IOException e) throws IOException {
        Segment segment = active;
        writeBuffer.rewind();
        int records = 0;
        int frames = 0;
        while (writeBuffer.remaining() >= SpoolRecord.HEADER_LENGTH) {
            int length = writeBuffer.getInt(writeBuffer.position());
            byte[] payload = new byte[length];
            writeBuffer.position(writeBuffer.position() + SpoolRecord.HEADER_LENGTH);
            writeBuffer.get(payload);
            discarded.add(payload);
            frames += SpoolRecord.frameLength(length);
            records++;
        }
        writeBuffer.clear();
        segment.end -= records;
        segment.size -= frames;
        segment.written = writtenBefore;
        bytes -= frames;
        try {
            out.truncate(writtenBefore);
        } catch (IOException ignored) {
            // Recovery cuts a partial record off anyway.
        }
        seal();
        if (segment.end == segment.base) {
            segments.remove(segment);
            Files.deleteIfExists(segment.path);
        }
        updateGauges();
        throw e;
    }

    /**
     * Payloads that were appended but never reached the file, because a write failed: the caller
     * accounts for them as lost. Empties the list.
     */
    List<byte[]> takeDiscarded() {
        List<byte[]> out = List.copyOf(discarded);
        discarded.clear();
        return out;
    }

    /**
     * The next record not handed out yet, in append order, or null when every record has been
     * (records below the acknowledged mark are skipped).
     */
    Entry next() throws IOException {
        while (true) {
            if (readSegment == null) {
                readSegment = segmentAtOrAfter(readSeq);
                if (readSegment == null) {
                    return null;
                }
                in = FileChannel.open(readSegment.path, StandardOpenOption.READ);
                readPos = 0;
                readCursor = readSegment.base;
            }
            if (readCursor >= readSegment.end) {
                if (readSegment == active) {
                    return null;
                }
                closeReader();
                readSeq = Math.max(readSeq, readCursor);
                continue;
            }
            if (readSegment == active && readPos >= active.written) {
                flushWriteBuffer();
            }
            header.clear();
            readFully(in, header, readPos);
            int length = header.getInt(SpoolRecord.LENGTH_OFFSET);
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(in, payload, readPos + SpoolRecord.HEADER_LENGTH);
            if (payload.remaining() != length) {
                throw new IOException("spool segment " + readSegment.path + " shorter than recorded");
            }
            readPos += SpoolRecord.frameLength(length);
            long seq = readCursor++;
            if (seq < readSeq) {
                continue;
            }
            readSeq = seq + 1;
            return new Entry(seq, payload.array());
        }
    }

    private Segment segmentAtOrAfter(long seq) {
        for (Segment s : segments) {
            if (s.end > seq) {
                return s;
            }
        }
        return null;
    }

    private void closeReader() throws IOException {
        if (in != null) {
            in.close();
            in = null;
        }
        readSegment = null;
    }

    /**
     * Every record with a sequence number below {@code upTo} is acknowledged (or given up on):
     * segments holding only such records are deleted. Made durable by the next {@link #sync}.
     */
    void acknowledge(long upTo) throws IOException {
        if (upTo <= acked) {
            return;
        }
        acked = Math.min(upTo, nextSeq);
        Iterator<Segment> it = segments.iterator();
        while (it.hasNext()) {
            Segment s = it.next();
            if (s.end > acked) {
                break;
            }
            if (s == readSegment) {
                closeReader();
            }
            if (s == active) {
                // Everything appended is acknowledged, hence was read, hence is out of the buffer.
                writeBuffer.clear();
                seal();
            }
            Files.deleteIfExists(s.path);
            bytes -= s.size;
            it.remove();
        }
        if (readSeq < acked) {
            readSeq = acked;
        }
        updateGauges();
    }

    /** Writes the buffer out, forces the active segment to the device and records the acknowledged mark. */
    void sync() throws IOException {
        if (active != null) {
            flushWriteBuffer();
        }
        if (active != null && unsynced) {
            out.force(false);
            unsynced = false;
        }
        if (acked != ackedOnDisk) {
            writeAckFile(acked);
            ackedOnDisk = acked;
        }
    }

    /** Sequence number the next append gets. */
    long nextSeq() {
        return nextSeq;
    }

    /** Below this, every record is acknowledged. */
    long acknowledged() {
        return acked;
    }

    /** The sequence number of the next record {@link #next} would hand out. */
    long readSeq() {
        return readSeq;
    }

    /** Bytes of segment files (what the bound counts). Any thread. */
    long bytes() {
        return bytesGauge;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Records not acknowledged yet. Any thread. */
    long records() {
        return recordsGauge;
    }

    /** Records appended but not handed out by {@link #next} yet. */
    long unread() {
        long n = 0;
        for (Segment s : segments) {
            n += Math.max(0, s.end - Math.max(s.base, readSeq));
        }
        return n;
    }

    Path dir() {
        return dir;
    }

    private void updateGauges() {
        long n = 0;
        for (Segment s : segments) {
            n += Math.max(0, s.end - Math.max(s.base, acked));
        }
        recordsGauge = n;
        bytesGauge = bytes;
    }

    /** Syncs and closes the files; the records stay for the next open. */
    @Override
    public void close() throws IOException {
        try {
            sync();
        } finally {
            closeReader();
            if (out != null) {
                out.close();
                out = null;
            }
            unlock();
        }
    }

    private long readAckFile() throws IOException {
        Path file = dir.resolve(ACK_FILE);
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] b = Files.readAllBytes(file);
        if (b.length == 12) {
            ByteBuffer buf = ByteBuffer.wrap(b);
            long seq = buf.getLong(0);
            CRC32C crc = new CRC32C();
            crc.update(b, 0, 8);
            if ((int) crc.getValue() == buf.getInt(8) && seq >= 0) {
                return seq;
            }
        }
        // Written by rename, so never torn; damaged otherwise: resend all (consumers dedupe by id).
        LOG.warn("event spool {}: {} is damaged; every event in the spool is sent again", dir, ACK_FILE);
        return 0;
    }

    private void writeAckFile(long seq) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(12).putLong(seq);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, 8);
        buf.putInt((int) crc.getValue()).flip();
        Path tmp = dir.resolve(ACK_FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        }
        try {
            Files.move(tmp, dir.resolve(ACK_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(ACK_FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A new file's name is durable once its directory is synced (POSIX fsync on the directory). */
    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open a directory; the segment's own fsync still holds its data.
        }
    }
}
