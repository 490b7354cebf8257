package dev.relay.sfu.bwe;

/** The forward path of {@link LinkSimulation}: when each packet sent reaches the receiver. */
interface Link {
    long DROPPED = -1;

    /** @return when the packet reaches the receiver, or {@link #DROPPED}. Call in send order. */
    long send(int bytes, long sendNanos);
}
