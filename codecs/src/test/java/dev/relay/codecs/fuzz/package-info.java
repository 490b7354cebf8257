/**
 * Coverage-guided fuzz tests (Jazzer's JUnit integration) for every parser that reads peer
 * bytes, corpus checked in (docs/architecture.md "Conventions").
 *
 * <p>Each target wraps the input twice, once as an exact-size array at offset 0 (any read
 * outside the range throws) and once inside a larger array behind a prefix and before a
 * suffix of 0xFF bytes (a mix-up of absolute and relative indexes changes the answers), checks
 * that both give the same {@link dev.relay.codecs.fuzz.Trace} and that the fill bytes and the
 * input survive the setters, and checks cheap invariants of the accessors on the way.
 *
 * <p>Plain {@code mvn test} runs each {@code @FuzzTest} as a regression test over its seed
 * corpus in {@code src/test/resources/dev/relay/codecs/fuzz/<Class>Inputs/<method>/}: real
 * packets from the chromium-156 capture, the RFC 5769 STUN vectors and the unit tests' vectors,
 * plus every crash the fuzzer found. To fuzz one target (one per JVM, Jazzer's rule):
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o -pl codecs test -Dtest='RtpPacketFuzzTest#rtpPacket' \
 *     -Djazzer.max_duration=60s
 * </pre>
 * A crash is written as {@code crash-<sha1>} into that method's inputs directory; keep it there
 * as a regression input once fixed. The generated corpus goes to {@code codecs/.cifuzz-corpus/},
 * which is scratch space and not checked in.
 */
package dev.relay.codecs.fuzz;
