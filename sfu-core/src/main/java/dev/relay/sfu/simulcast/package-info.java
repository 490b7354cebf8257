/**
 * The pure heart of a simulcast Consumer: which packets of a VP8 simulcast Producer one
 * subscriber gets ({@link dev.relay.sfu.simulcast.LayerSelector}) and how they become one
 * continuous stream ({@link dev.relay.sfu.simulcast.StreamRewriter}). No sockets, no clock of
 * their own (time is an argument), nothing allocated per packet; worker thread only.
 *
 * <p>Per packet of the Producer, whatever its layer (the layer is the encoding index its SSRC was
 * bound to by RID, RFC 8852):
 * <pre>{@code
 * if (!vp8.wrap(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength())) {   // padding only, or bad
 *     rewriter.drop(layer, rtp.sequenceNumber(), -1);
 *     return;
 * }
 * int pictureId = vp8.hasLongPictureId() ? vp8.pictureId() : -1;
 * int decision = selector.onPacket(layer, vp8.isKeyframe(), vp8.startOfFrame(),
 *         vp8.temporalLayer(), vp8.layerSync(), nowNanos);
 * if ((decision & LayerSelector.KEYFRAME_NEEDED) != 0) {
 *     producer.requestKeyframe(selector.keyframeLayer(), nowNanos);        // throttled per layer
 * }
 * if (LayerSelector.isForward(decision) && rewriter.forward(layer, rtp.sequenceNumber(),
 *         rtp.timestamp(), rtp.marker(), pictureId, vp8.tl0PicIdx(), nowNanos)) {
 *     // copy into the scratch buffer, wrap rtp and vp8 over the copy, then:
 *     rewriter.writeTo(rtpOut, ssrc, payloadType);
 *     rewriter.writeTo(vp8Out);
 *     // send
 * } else {
 *     rewriter.drop(layer, rtp.sequenceNumber(), pictureId);
 * }
 * }</pre>
 * and per Sender Report of the publisher on a layer's SSRC:
 * {@code rewriter.onSenderReport(layer, sr.rtpTimestamp(), sr.ntpTimestamp())}.
 */
package dev.relay.sfu.simulcast;
