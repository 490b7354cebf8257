package dev.relay.signaling.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One video m-section per row: its rtpmap and fmtp lines, and what the relay takes from it. */
class CodecChoiceTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "VP9 without profile-id is profile 0   | 98 VP9/90000                                   | ''                                                | VP9",
        "VP9 profile 1 (4:4:4) is not taken    | 98 VP9/90000                                   | profile-id=1                                      | -",
        "AV1 without profile is Main           | 45 AV1/90000                                   | ''                                                | AV1",
        "AV1 High profile is not taken         | 45 AV1/90000                                   | profile=1                                         | -",
        "H.264 High                            | 102 H264/90000                                 | packetization-mode=1;profile-level-id=640c1f      | H264",
        "H.264 Main                            | 102 H264/90000                                 | packetization-mode=1;profile-level-id=4d001f      | H264",
        "H.264 without profile-level-id        | 102 H264/90000                                 | packetization-mode=1                              | H264",
        "H.264 with spaces around parameters   | 102 H264/90000                                 | profile-level-id=42e01f; packetization-mode=1     | H264",
        "H.264 High 4:4:4 is not taken         | 102 H264/90000                                 | packetization-mode=1;profile-level-id=f4001f      | -",
        "H.264 mode 0 is not taken             | 102 H264/90000                                 | packetization-mode=0;profile-level-id=42e01f      | -",
        "H.264 without packetization-mode      | 102 H264/90000                                 | profile-level-id=42e01f                           | -",
        "H.264 malformed profile-level-id      | 102 H264/90000                                 | packetization-mode=1;profile-level-id=4200        | -",
        "H.264 non-hex profile-level-id        | 102 H264/90000                                 | packetization-mode=1;profile-level-id=zz001f      | -",
        "codec names are case-insensitive      | 96 vp8/90000                                   | ''                                                | VP8",
        "H.265 is not forwarded                | 49 H265/90000                                  | ''                                                | -",
    })
    void shouldTakeOnlyWhatTheRelayForwards(String name, String rtpmap, String fmtp, String expected) throws Exception {
        String pt = rtpmap.substring(0, rtpmap.indexOf(' '));
        String sdp = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF " + pt + "\r\na=rtpmap:" + rtpmap + "\r\n"
                + (fmtp.isEmpty() ? "" : "a=fmtp:" + pt + " " + fmtp + "\r\n");
        CodecChoice choice = CodecChoice.of(SessionDescription.parse(sdp).media().get(0));

        if (expected.equals("-")) {
            assertNull(choice.name());
            assertEquals(-1, choice.payloadType());
            assertTrue(choice.reason().contains(rtpmap.substring(rtpmap.indexOf(' ') + 1, rtpmap.indexOf('/'))
                    .toUpperCase()), choice.reason());
        } else {
            assertEquals(expected, choice.name());
            assertEquals(Integer.parseInt(pt), choice.payloadType());
            assertEquals(fmtp, choice.fmtp());
            assertNull(choice.reason());
        }
    }
}
