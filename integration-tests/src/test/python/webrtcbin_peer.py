#!/usr/bin/python3
"""A non-browser WebRTC peer for the relay's interop tests: GStreamer webrtcbin (1.22).

One process is one PeerConnection (docs/signaling.md "Two PeerConnections per participant"):

  --role publish    sends VP8 (videotestsrc) and Opus (audiotestsrc), sendonly; offers.
  --role subscribe  receives what the relay offers, decodes it; answers.

The signaling WebSocket is the test's job. This process speaks JSON lines: one object per line
on stdin and stdout, diagnostics on stderr.

  stdin  {"type": "answer", "sdp": ...}    publish: the relay's publishAnswer
         {"type": "offer", "sdp": ...}     subscribe: a relay subscribeOffer
         {"type": "stop"}
  stdout {"type": "offer", "sdp": ...}     publish: the offer to send in `publish`
         {"type": "answer", "sdp": ...}    subscribe: the answer to send in `subscribeAnswer`
         {"type": "candidate", "candidate": ..., "sdpMid": ..., "sdpMLineIndex": n}
         {"type": "endOfCandidates"}
         {"type": "state", "connection": ..., "ice": ...}
         {"type": "firstBuffer", "kind": "video"|"audio", "sinceStartMs": n}
         {"type": "stats", "videoFrames": n, "audioBuffers": n, "sinceStartMs": n}
         {"type": "error", "message": ...}

A remote description's a=candidate lines are applied by webrtcbin itself: the relay is ICE-lite
and puts its host candidates into every SDP it sends, so nothing is trickled towards us.
"""

import argparse
import ctypes
import json
import os
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

STATS_INTERVAL_MS = 250

# max-bundle (RFC 9143 / RFC 8829 §4.1.1): the relay rejects offers without BUNDLE.
# keyframe-max-dist bounds the wait for a keyframe should a PLI (RFC 4585 §6.3.1) be lost.
PUBLISH_PIPELINE = """
webrtcbin name=webrtc bundle-policy=max-bundle
videotestsrc is-live=true pattern=ball
  ! video/x-raw,width=320,height=240,framerate=30/1
  ! videoconvert ! queue
  ! vp8enc deadline=1 cpu-used=8 target-bitrate=300000 keyframe-max-dist=60 error-resilient=partitions
  ! rtpvp8pay pt=96 picture-id-mode=15-bit mtu=1200
  ! queue
  ! application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000,rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true
  ! webrtc.
audiotestsrc is-live=true wave=sine freq=440 volume=0.2
  ! audioconvert ! audioresample ! queue
  ! opusenc bitrate=32000
  ! rtpopuspay pt=111 mtu=1200
  ! queue
  ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000
  ! webrtc.
"""

START = time.monotonic()
OUT_LOCK = threading.Lock()
# The JSON lines get their own copy of stdout, and fd 1 becomes stderr: GLib writes its debug
# messages (G_MESSAGES_DEBUG, NICE_DEBUG) to stdout, which would break the protocol.
PROTOCOL = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
os.dup2(sys.stderr.fileno(), sys.stdout.fileno())


def since_start_ms():
    return round((time.monotonic() - START) * 1000)


def emit(obj):
    line = json.dumps(obj)
    with OUT_LOCK:
        try:
            PROTOCOL.write(line + "\n")
            PROTOCOL.flush()
        except BrokenPipeError:
            # The test has gone; the stdin reader will see EOF and stop the loop.
            pass


def log(text):
    with OUT_LOCK:
        sys.stderr.write("[webrtcbin %6d ms] %s\n" % (since_start_ms(), text))
        sys.stderr.flush()


def mids_of(sdp_text):
    """mids in m-line order, to name each trickled candidate's m-section (RFC 8840 §4.1)."""
    mids = []
    for line in sdp_text.splitlines():
        if line.startswith("m="):
            mids.append(None)
        elif line.startswith("a=mid:") and mids:
            mids[-1] = line[len("a=mid:"):].strip()
    return mids


def error_of(reply):
    """The GError in a promise reply, which GstStructure.to_string() prints as NULL."""
    if reply is None:
        return "no reply"
    if reply.has_field("error"):
        error = reply.get_value("error")
        return error.message if error is not None else "error without a message"
    return reply.to_string()


class Peer:
    def __init__(self, role, local_ip):
        self.role = role
        self.loop = GLib.MainLoop()
        self.local_mids = []
        self.video_frames = 0
        self.audio_buffers = 0
        self.first = {}
        self.count_lock = threading.Lock()
        if role == "publish":
            self.pipe = Gst.parse_launch(PUBLISH_PIPELINE)
            self.webrtc = self.pipe.get_by_name("webrtc")
        else:
            self.pipe = Gst.Pipeline.new("subscriber")
            self.webrtc = Gst.ElementFactory.make("webrtcbin", "webrtc")
            self.webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
            self.pipe.add(self.webrtc)
            self.webrtc.connect("pad-added", self.on_pad_added)
        ice = self.ice_agent()
        # libnice leaves loopback interfaces out of gathering; the relay in the tests listens on
        # 127.0.0.1 only (RUNBOOK "Non-browser WebRTC peers").
        if local_ip:
            ice.emit("add-local-ip-address", local_ip)
        ice.set_property("ice-tcp", False)
        self.webrtc.connect("on-ice-candidate", self.on_ice_candidate)
        self.webrtc.connect("notify::connection-state", self.on_state)
        self.webrtc.connect("notify::ice-connection-state", self.on_state)
        self.webrtc.connect("notify::ice-gathering-state", self.on_gathering)
        if role == "publish":
            self.webrtc.connect("on-negotiation-needed", self.on_negotiation_needed)
        bus = self.pipe.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_bus)

    def ice_agent(self):
        """webrtcbin's GstWebRTCICE, with the reference its 1.22 property getter fails to add.

        The getter returns the agent without a reference of its own, so the wrapper's release
        would free the agent webrtcbin still uses (its refcount reads 1 while both hold it).
        """
        ice = self.webrtc.get_property("ice-agent")
        gobject = ctypes.CDLL("libgobject-2.0.so.0")
        gobject.g_object_ref.argtypes = [ctypes.c_void_p]
        gobject.g_object_ref.restype = ctypes.c_void_p
        gobject.g_object_ref(hash(ice))  # PyGObject hashes a wrapper by its GObject's address
        return ice

    # ---- lifecycle ----

    def run(self):
        if self.role == "publish":
            self.make_sendonly()
        self.pipe.set_state(Gst.State.PLAYING)
        GLib.timeout_add(STATS_INTERVAL_MS, self.report)
        threading.Thread(target=self.read_stdin, daemon=True).start()
        emit({"type": "started", "role": self.role, "gstreamer": Gst.version_string()})
        try:
            self.loop.run()
        finally:
            self.pipe.set_state(Gst.State.NULL)

    def make_sendonly(self):
        """The publish PeerConnection only sends (docs/signaling.md); webrtcbin defaults to sendrecv."""
        i = 0
        while True:
            t = self.webrtc.emit("get-transceiver", i)
            if t is None:
                break
            t.set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
            i += 1
        log("publish: %d sendonly transceivers" % i)

    def read_stdin(self):
        for line in sys.stdin:
            line = line.strip()
            if line:
                GLib.idle_add(self.on_command, line)
        # The test went away: nothing more will come, stop.
        GLib.idle_add(self.loop.quit)

    def on_command(self, line):
        try:
            msg = json.loads(line)
            kind = msg.get("type")
            if kind == "answer" and self.role == "publish":
                self.set_remote("answer", msg["sdp"], None)
            elif kind == "offer" and self.role == "subscribe":
                self.set_remote("offer", msg["sdp"], self.create_answer)
            elif kind == "stop":
                self.loop.quit()
            else:
                self.fail("unexpected command %r for role %s" % (kind, self.role))
        except Exception as e:  # a bad line is reported, the peer keeps running
            self.fail("command failed: %r" % e)
        return False

    def fail(self, message):
        log("error: " + message)
        emit({"type": "error", "message": message})

    def on_bus(self, bus, message):
        if message.type == Gst.MessageType.ERROR:
            err, debug = message.parse_error()
            self.fail("%s: %s (%s)" % (message.src.get_name(), err.message, debug))
        elif message.type == Gst.MessageType.WARNING:
            err, debug = message.parse_warning()
            log("warning: %s: %s" % (message.src.get_name(), err.message))

    # ---- negotiation ----

    def on_negotiation_needed(self, webrtc):
        promise = Gst.Promise.new_with_change_func(self.on_offer_created, None)
        webrtc.emit("create-offer", None, promise)

    def on_offer_created(self, promise, _):
        self.local_description(promise, "offer")

    def create_answer(self):
        promise = Gst.Promise.new_with_change_func(self.on_answer_created, None)
        self.webrtc.emit("create-answer", None, promise)

    def on_answer_created(self, promise, _):
        self.local_description(promise, "answer")

    def local_description(self, promise, kind):
        promise.wait()
        reply = promise.get_reply()
        if reply is None or not reply.has_field(kind):
            self.fail("create-%s failed: %s" % (kind, error_of(reply)))
            return
        desc = reply.get_value(kind)
        text = desc.sdp.as_text()
        self.local_mids = mids_of(text)
        # Written before set-local-description starts gathering, so that the test sends the SDP
        # before any candidate of this PeerConnection (docs/signaling.md "candidate").
        emit({"type": kind, "sdp": text})
        self.webrtc.emit("set-local-description", desc, Gst.Promise.new())

    def set_remote(self, kind, sdp_text, then):
        res, sdp = GstSdp.SDPMessage.new_from_text(sdp_text)
        if res != GstSdp.SDPResult.OK:
            self.fail("remote %s does not parse: %s" % (kind, res))
            return
        sdp_type = GstWebRTC.WebRTCSDPType.OFFER if kind == "offer" else GstWebRTC.WebRTCSDPType.ANSWER
        desc = GstWebRTC.WebRTCSessionDescription.new(sdp_type, sdp)

        def applied(promise, _):
            promise.wait()
            reply = promise.get_reply()
            if reply is not None and reply.has_field("error"):
                self.fail("set-remote-description(%s) failed: %s" % (kind, error_of(reply)))
                return
            log("remote %s applied" % kind)
            if then is not None:
                then()

        self.webrtc.emit("set-remote-description", desc, Gst.Promise.new_with_change_func(applied, None))

    def on_ice_candidate(self, webrtc, mline, candidate):
        mid = self.local_mids[mline] if mline < len(self.local_mids) else None
        emit({"type": "candidate", "candidate": candidate, "sdpMid": mid, "sdpMLineIndex": mline})

    def on_gathering(self, webrtc, pspec):
        state = webrtc.get_property("ice-gathering-state")
        if state == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            emit({"type": "endOfCandidates"})

    def on_state(self, webrtc, pspec):
        connection = webrtc.get_property("connection-state").value_nick
        ice = webrtc.get_property("ice-connection-state").value_nick
        log("connection %s, ice %s" % (connection, ice))
        emit({"type": "state", "connection": connection, "ice": ice})

    # ---- receiving (subscribe) ----

    def on_pad_added(self, webrtc, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps() or pad.query_caps(None)
        s = caps.get_structure(0)
        media = s.get_string("media")
        encoding = (s.get_string("encoding-name") or "").upper()
        log("receiving %s %s on %s" % (media, encoding, pad.get_name()))
        if media == "video" and encoding == "VP8":
            chain = "queue ! rtpvp8depay ! vp8dec name=dec ! fakesink sync=false async=false"
        elif media == "audio" and encoding == "OPUS":
            chain = "queue ! rtpopusdepay ! opusdec name=dec ! fakesink sync=false async=false"
        else:
            chain = "queue ! decodebin ! fakesink sync=false async=false"
        bin_ = Gst.parse_bin_from_description(chain, True)
        self.pipe.add(bin_)
        bin_.sync_state_with_parent()
        pad.link(bin_.get_static_pad("sink"))
        dec = bin_.get_by_name("dec")
        if dec is not None:
            dec.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self.on_decoded, media)

    def on_decoded(self, pad, info, media):
        with self.count_lock:
            if media == "video":
                self.video_frames += 1
            else:
                self.audio_buffers += 1
            first = media not in self.first
            if first:
                self.first[media] = since_start_ms()
        if first:
            emit({"type": "firstBuffer", "kind": media, "sinceStartMs": self.first[media]})
        return Gst.PadProbeReturn.OK

    def report(self):
        if self.role == "subscribe":
            with self.count_lock:
                video, audio = self.video_frames, self.audio_buffers
            emit({"type": "stats", "videoFrames": video, "audioBuffers": audio, "sinceStartMs": since_start_ms()})
        return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", choices=["publish", "subscribe"], required=True)
    parser.add_argument("--local-ip", default="127.0.0.1",
                        help="an address for libnice to gather from besides its non-loopback interfaces")
    args = parser.parse_args()
    Gst.init(None)
    missing = [f for f in ("webrtcbin", "nicesrc", "vp8enc", "vp8dec", "opusenc", "opusdec", "rtpvp8pay",
                           "rtpopuspay", "videotestsrc", "audiotestsrc") if Gst.ElementFactory.find(f) is None]
    if missing:
        emit({"type": "error", "message": "GStreamer elements missing: " + ", ".join(missing)})
        sys.exit(3)
    Peer(args.role, args.local_ip).run()


if __name__ == "__main__":
    main()
