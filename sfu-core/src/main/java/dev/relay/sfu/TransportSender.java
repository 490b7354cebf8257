package dev.relay.sfu;

import dev.relay.transport.EgressBatch;
import dev.relay.transport.Transport;

/** The production {@link RtpSender}: the Transport protects and queues; the worker's batch wakes the socket. */
final class TransportSender implements RtpSender {
    private final Transport transport;
    private final EgressBatch batch;

    TransportSender(Transport transport, EgressBatch batch) {
        this.transport = transport;
        this.batch = batch;
    }

    @Override
    public boolean isReady() {
        return transport.isSecure();
    }

    @Override
    public int sendRtp(byte[] buf, int off, int len) {
        return transport.sendRtp(buf, off, len, batch);
    }

    @Override
    public int sendRtcp(byte[] buf, int off, int len) {
        return transport.sendRtcp(buf, off, len, batch);
    }
}
