package dev.relay.transport.dtls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test-side reader of plaintext DTLS 1.2 handshake traffic (epoch 0): splits datagrams into
 * records (RFC 6347 §4.1) and reassembles handshake fragments by message_seq (§4.2.2).
 */
final class HandshakeMessages {
    /*
     * RFC 6347 §4.1 record header and §4.2.2 handshake header:
     *   type(1) version(2) epoch(2) sequence_number(6) length(2) | fragment
     *   msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3) | body
     */
    static final int RECORD_HEADER_LENGTH = 13;
    static final int HANDSHAKE_HEADER_LENGTH = 12;
    static final int CONTENT_TYPE_HANDSHAKE = 22;

    record Record(int contentType, int version, int epoch, byte[] fragment) {
    }

    record Message(int type, int messageSeq, byte[] body) {
    }

    private final Map<Integer, byte[]> bodies = new TreeMap<>();
    private final Map<Integer, Integer> types = new TreeMap<>();
    private final Map<Integer, Integer> received = new TreeMap<>();

    static List<Record> records(byte[] datagram) {
        List<Record> out = new ArrayList<>();
        int off = 0;
        while (off + RECORD_HEADER_LENGTH <= datagram.length) {
            int length = u16(datagram, off + 11);
            if (off + RECORD_HEADER_LENGTH + length > datagram.length) {
                throw new AssertionError("truncated record at " + off);
            }
            byte[] fragment = new byte[length];
            System.arraycopy(datagram, off + RECORD_HEADER_LENGTH, fragment, 0, length);
            out.add(new Record(datagram[off] & 0xFF, u16(datagram, off + 1), u16(datagram, off + 3), fragment));
            off += RECORD_HEADER_LENGTH + length;
        }
        return out;
    }

    /** Adds every epoch-0 handshake fragment of a datagram. */
    void add(byte[] datagram) {
        for (Record record : records(datagram)) {
            if (record.contentType() != CONTENT_TYPE_HANDSHAKE || record.epoch() != 0) {
                continue;
            }
            byte[] f = record.fragment();
            int off = 0;
            while (off + HANDSHAKE_HEADER_LENGTH <= f.length) {
                int type = f[off] & 0xFF;
                int length = u24(f, off + 1);
                int seq = u16(f, off + 4);
                int fragmentOffset = u24(f, off + 6);
                int fragmentLength = u24(f, off + 9);
                byte[] body = bodies.computeIfAbsent(seq, s -> new byte[length]);
                types.put(seq, type);
                System.arraycopy(f, off + HANDSHAKE_HEADER_LENGTH, body, fragmentOffset, fragmentLength);
                received.merge(seq, fragmentLength, Integer::sum);
                off += HANDSHAKE_HEADER_LENGTH + fragmentLength;
            }
        }
    }

    /** Complete messages in message_seq order (duplicated fragments would over-count; none here). */
    List<Message> complete() {
        List<Message> out = new ArrayList<>();
        for (Map.Entry<Integer, byte[]> e : bodies.entrySet()) {
            if (received.get(e.getKey()) >= e.getValue().length) {
                out.add(new Message(types.get(e.getKey()), e.getKey(), e.getValue()));
            }
        }
        return out;
    }

    Message first(int type) {
        for (Message m : complete()) {
            if (m.type() == type) {
                return m;
            }
        }
        return null;
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
    }

    static int u24(byte[] b, int off) {
        return (b[off] & 0xFF) << 16 | u16(b, off + 1);
    }
}
