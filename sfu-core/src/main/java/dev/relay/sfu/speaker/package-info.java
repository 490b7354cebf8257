/**
 * Who is speaking in a Room, from the audio levels (RFC 6464) in the participants' audio packets
 * ({@link dev.relay.sfu.speaker.DominantSpeakerDetector}). Pure logic: the caller passes each
 * packet's level and the time, calls {@code evaluate} every 100-300 ms, and on a change tells the
 * Room and raises the new speaker's video priority in each subscriber's
 * {@link dev.relay.sfu.allocation.BandwidthAllocator}. Worker thread only; nothing allocated after
 * construction.
 */
package dev.relay.sfu.speaker;
