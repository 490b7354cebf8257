/**
 * Bandwidth allocation for one subscriber: which simulcast layer of each video track it receives,
 * given its downlink estimate ({@link dev.relay.sfu.allocation.BandwidthAllocator}). Pure logic:
 * the caller feeds it the estimate, each layer's measured bitrate and the time, applies the
 * targets to the tracks' layer selectors (a target of {@code PAUSED} stops the track and is told
 * to the client as its stream state) and probes when it reports a deficit. Worker thread only;
 * nothing allocated after construction.
 */
package dev.relay.sfu.allocation;
