package dev.relay.codecs.stun;

import dev.relay.codecs.Hex;
import java.nio.charset.StandardCharsets;

/** STUN messages from RFC 5769 and from a real Chromium capture, shared by the STUN tests. */
final class StunVectors
{
    /** RFC 5769 §2: short-term credential of the sample messages. */
    static final byte[] RFC5769_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.US_ASCII);
    static final byte[] RFC5769_TRANSACTION_ID = Hex.bytes("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");

    /** RFC 5769 §2.1 Sample Request. */
    static final byte[] RFC5769_REQUEST = Hex.bytes("""
        00 01 00 58   # Request type and message length
        21 12 a4 42   # Magic cookie
        b7 e7 a7 01   # }
        bc 34 d6 86   # }  Transaction ID
        fa 87 df ae   # }
        80 22 00 10   # SOFTWARE attribute header
        53 54 55 4e   # }
        20 74 65 73   # }  User-agent...
        74 20 63 6c   # }  ...name: "STUN test client"
        69 65 6e 74   # }
        00 24 00 04   # PRIORITY attribute header
        6e 00 01 ff   # ICE priority value
        80 29 00 08   # ICE-CONTROLLED attribute header
        93 2f f9 b1   # }  Pseudo-random tie breaker...
        51 26 3b 36   # }   ...for ICE control
        00 06 00 09   # USERNAME attribute header
        65 76 74 6a   # }
        3a 68 36 76   # }  Username (9 bytes) and padding (3 bytes)
        59 20 20 20   # }  "evtj:h6vY"; the padding is spaces, which receivers ignore
        00 08 00 14   # MESSAGE-INTEGRITY attribute header
        9a ea a7 0c   # }
        bf d8 cb 56   # }
        78 1e f2 b5   # }  HMAC-SHA1 fingerprint
        b2 d3 f2 49   # }
        c1 b5 71 a2   # }
        80 28 00 04   # FINGERPRINT attribute header
        e5 7a 3b cf   # CRC32 fingerprint
        """);

    /** RFC 5769 §2.2 Sample IPv4 Response: mapped address 192.0.2.1 port 32853. */
    static final byte[] RFC5769_IPV4_RESPONSE = Hex.bytes("""
        01 01 00 3c   # Response type and message length
        21 12 a4 42   # Magic cookie
        b7 e7 a7 01   # }
        bc 34 d6 86   # }  Transaction ID
        fa 87 df ae   # }
        80 22 00 0b   # SOFTWARE attribute header
        74 65 73 74   # }
        20 76 65 63   # }  UTF-8 server name "test vector"
        74 6f 72 20   # }
        00 20 00 08   # XOR-MAPPED-ADDRESS attribute header
        00 01 a1 47   # Address family (IPv4) and xor'd mapped port number
        e1 12 a6 43   # Xor'd mapped IPv4 address
        00 08 00 14   # MESSAGE-INTEGRITY attribute header
        2b 91 f5 99   # }
        fd 9e 90 c3   # }
        8c 74 89 f9   # }  HMAC-SHA1 fingerprint
        2a f9 ba 53   # }
        f0 6b e7 d7   # }
        80 28 00 04   # FINGERPRINT attribute header
        c0 7d 4c 96   # CRC32 fingerprint
        """);

    /** RFC 5769 §2.3 Sample IPv6 Response: [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
    static final byte[] RFC5769_IPV6_RESPONSE = Hex.bytes("""
        01 01 00 48   # Response type and message length
        21 12 a4 42   # Magic cookie
        b7 e7 a7 01   # }
        bc 34 d6 86   # }  Transaction ID
        fa 87 df ae   # }
        80 22 00 0b   # SOFTWARE attribute header
        74 65 73 74   # }
        20 76 65 63   # }  UTF-8 server name "test vector"
        74 6f 72 20   # }
        00 20 00 14   # XOR-MAPPED-ADDRESS attribute header
        00 02 a1 47   # Address family (IPv6) and xor'd mapped port number
        01 13 a9 fa   # }
        a5 d3 f1 79   # }  Xor'd mapped IPv6 address
        bc 25 f4 b5   # }
        be d2 b9 d9   # }
        00 08 00 14   # MESSAGE-INTEGRITY attribute header
        a3 82 95 4e   # }
        4b e6 7b f1   # }
        17 84 c9 7c   # }  HMAC-SHA1 fingerprint
        82 92 c2 75   # }
        bf e3 ed 41   # }
        80 28 00 04   # FINGERPRINT attribute header
        c8 fb 0b 4c   # CRC32 fingerprint
        """);

    /**
     * The offerer's ice-pwd in chromium-156/offer-audio-video.sdp (ice-ufrag 2swx). Requests to
     * the offerer and its responses are keyed with it.
     */
    static final byte[] CHROMIUM_OFFERER_PASSWORD = "0/8owlkb6sboX1t9zq69wVMu".getBytes(StandardCharsets.US_ASCII);

    /** chromium-to-chromium-loopback.pcap datagram 0: the answerer checks the offerer. */
    static final byte[] CHROMIUM_REQUEST = Hex.bytes("""
        00 01 00 4c   # Binding request, length 76
        21 12 a4 42   # magic cookie
        73 37 34 45 46 68 34 58 57 47 31 72   # transaction id
        00 06 00 09   # USERNAME, 9 bytes
        32 73 77 78 3a 7a 74 43 5a 00 00 00   #   "2swx:ztCZ" (remote:local ufrag), zero padding
        c0 57 00 04   # GOOG-NETWORK-INFO (Chromium private), 4 bytes
        00 01 00 32   #   network id 1, cost 50
        80 29 00 08   # ICE-CONTROLLED
        8e ce e9 37 25 34 02 1d   #   tie-breaker
        00 24 00 04   # PRIORITY
        6e 7f 1e ff   #   1853824767: peer-reflexive type preference 110
        00 08 00 14   # MESSAGE-INTEGRITY
        36 65 9e 3b 8e 65 23 c7 a4 7c d2 07 51 3c 14 94 c0 b9 59 94
        80 28 00 04   # FINGERPRINT
        a5 11 56 c5
        """);

    /**
     * Datagram 1: the controlling offerer nominates the pair. Keyed with the answerer's password,
     * which the fixtures do not include.
     */
    static final byte[] CHROMIUM_NOMINATION = Hex.bytes("""
        00 01 00 50   # Binding request, length 80
        21 12 a4 42   # magic cookie
        4b 70 33 64 5a 71 47 52 67 78 52 61   # transaction id
        00 06 00 09   # USERNAME, 9 bytes
        7a 74 43 5a 3a 32 73 77 78 00 00 00   #   "ztCZ:2swx"
        c0 57 00 04   # GOOG-NETWORK-INFO
        00 01 00 32
        80 2a 00 08   # ICE-CONTROLLING
        22 88 4f 5d 97 53 35 f6   #   tie-breaker
        00 25 00 00   # USE-CANDIDATE: nominate this pair
        00 24 00 04   # PRIORITY
        6e 7f 1e ff
        00 08 00 14   # MESSAGE-INTEGRITY
        d6 04 cb a0 7d 3d c5 e1 46 ea c5 f2 e1 ee a5 cf 80 0e 95 8d
        80 28 00 04   # FINGERPRINT
        6c 34 f2 f6
        """);

    /** Datagram 2: the offerer's answer to datagram 0, from 127.0.0.1 to 127.0.0.1:51628. */
    static final byte[] CHROMIUM_SUCCESS = Hex.bytes("""
        01 01 00 2c   # Binding success response, length 44
        21 12 a4 42   # magic cookie
        73 37 34 45 46 68 34 58 57 47 31 72   # transaction id of datagram 0
        00 20 00 08   # XOR-MAPPED-ADDRESS
        00 01 e8 be   #   family IPv4, port 51628 ^ 0x2112
        5e 12 a4 43   #   127.0.0.1 ^ magic cookie
        00 08 00 14   # MESSAGE-INTEGRITY
        b7 9d f7 00 a9 79 2a 69 a7 42 2b 7a 10 03 49 49 21 f5 8f 68
        80 28 00 04   # FINGERPRINT
        ef 58 f3 3f
        """);

    private StunVectors()
    {
    }
}
