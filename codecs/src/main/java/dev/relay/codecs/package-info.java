/**
 * Wire types of a WebRTC SFU: RTP, RTCP, STUN and the video payload descriptors.
 *
 * <p>Conventions shared by every class here, after Agrona's flyweights:
 * <ul>
 *   <li>A packet type wraps bytes it does not own: {@code boolean wrap(buf, offset, length)}
 *       validates and returns false on bad input; accessors read and write in place and are
 *       only valid after a successful wrap, while the caller still owns the buffer.</li>
 *   <li>Offsets returned by accessors ({@code payloadOffset()}, {@code findExtension()},
 *       {@code attributeOffset()}) are absolute indexes into the wrapped array.</li>
 *   <li>Nothing throws on peer bytes and nothing allocates per packet, apart from STUN
 *       MESSAGE-INTEGRITY, where the JDK's {@code Mac} allocates internally.</li>
 *   <li>Writers are static {@code write(dst, off, ...)} methods returning the bytes written;
 *       {@code dst} must have room, except for STUN, whose writer checks and returns -1.</li>
 * </ul>
 */
package dev.relay.codecs;
