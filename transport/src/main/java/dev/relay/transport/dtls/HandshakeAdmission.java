package dev.relay.transport.dtls;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which DTLS handshakes may run: at most {@code maxInFlight} in total and
 * {@code maxPerAddress} per source address. Pure logic with the time passed in, so it is tested
 * with a fake clock; not thread-safe, {@link DtlsHandshakes} calls it under its lock.
 *
 * <p>Why caps: Bouncy Castle's DTLS handshake is blocking, so a handshake in flight holds a
 * thread, and a peer that sends a ClientHello and nothing more holds it until the timeout. The
 * total cap bounds threads and memory; the per-address cap keeps one address (one attacker, or
 * one victim address a spoofer points us at) from taking every slot.
 *
 * <p>Why eviction: at the total cap a new ClientHello would wait for a stalled handshake's
 * timeout. A browser finishes a handshake within a few round trips of its ClientHello, so a
 * handshake still in flight after {@code stallNanos} has almost certainly been abandoned. When
 * the cap is reached, the handshake admitted longest ago is evicted if it is older than that, and
 * the newcomer takes its slot. To keep every slot busy an attacker must then start more than
 * {@code maxInFlight} new handshakes per stall interval, each on a Transport that took a
 * signaling exchange and a valid ICE check to open.
 *
 * @param <H> the handshake, compared by identity
 */
final class HandshakeAdmission<H> {
    /** What {@link #admit} decided. */
    enum Outcome {
        ADMITTED,
        REFUSED_CAP,
        REFUSED_IP_CAP
    }

    /**
     * @param evicted the handshake that gave up its slot for this one, or null; its owner must
     *        end it
     */
    record Decision<T>(Outcome outcome, T evicted) {
    }

    private record Slot(Object address, long admittedNanos) {
    }

    private final int maxInFlight;
    private final int maxPerAddress;
    private final long stallNanos;
    /** In admission order, so the first entry is the oldest. Identity is enough: H has no equals. */
    private final LinkedHashMap<H, Slot> inFlight = new LinkedHashMap<>();
    private final Map<Object, Integer> perAddress = new HashMap<>();

    HandshakeAdmission(int maxInFlight, int maxPerAddress, long stallNanos) {
        if (maxInFlight <= 0 || maxPerAddress <= 0 || stallNanos <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxInFlight = maxInFlight;
        this.maxPerAddress = maxPerAddress;
        this.stallNanos = stallNanos;
    }

    /**
     * Admits {@code handshake} from {@code address} at {@code nowNanos}, evicting the oldest
     * stalled handshake if the total cap is reached. A handshake already admitted is admitted again
     * without taking a second slot.
     */
    Decision<H> admit(H handshake, Object address, long nowNanos) {
        Objects.requireNonNull(handshake, "handshake");
        Objects.requireNonNull(address, "address");
        if (inFlight.containsKey(handshake)) {
            return new Decision<>(Outcome.ADMITTED, null);
        }
        if (perAddress.getOrDefault(address, 0) >= maxPerAddress) {
            return new Decision<>(Outcome.REFUSED_IP_CAP, null);
        }
        H evicted = null;
        if (inFlight.size() >= maxInFlight) {
            Iterator<Map.Entry<H, Slot>> oldest = inFlight.entrySet().iterator();
            Map.Entry<H, Slot> first = oldest.next();
            if (nowNanos - first.getValue().admittedNanos() < stallNanos) {
                return new Decision<>(Outcome.REFUSED_CAP, null);
            }
            evicted = first.getKey();
            oldest.remove();
            decrement(first.getValue().address());
        }
        inFlight.put(handshake, new Slot(address, nowNanos));
        perAddress.merge(address, 1, Integer::sum);
        return new Decision<>(Outcome.ADMITTED, evicted);
    }

    /** Frees the handshake's slot; false if it held none (released or evicted before). */
    boolean release(H handshake) {
        Slot slot = inFlight.remove(handshake);
        if (slot == null) {
            return false;
        }
        decrement(slot.address());
        return true;
    }

    int inFlight() {
        return inFlight.size();
    }

    int inFlight(Object address) {
        return perAddress.getOrDefault(address, 0);
    }

    /** Addresses with a handshake in flight; the map never keeps an address at zero. */
    int addresses() {
        return perAddress.size();
    }

    private void decrement(Object address) {
        perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    }
}
