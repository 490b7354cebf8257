package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.sfu.Codec;
import dev.relay.transport.TransportRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The subscribe offer/answer state on its own (docs/signaling.md "Flow"): no Router, no sockets. */
class SubscribeNegotiationTest {
    private final SubscribeNegotiation negotiation = new SubscribeNegotiation();

    private static final Participant PUBLISHER = new Participant("p9", "publisher", null, null);

    private static PublishedTrack track(int producerId) {
        return new PublishedTrack(producerId, "0", "t" + producerId, "audio", Codec.OPUS, "", 1000 + producerId,
                PUBLISHER);
    }

    @Test
    void shouldOfferNothingWithoutSlots() {
        assertEquals(SubscribeNegotiation.NO_OFFER, negotiation.beginOffer());
        assertFalse(negotiation.offerOutstanding());

        negotiation.addSlot(track(1), 1, 1, 111);
        assertEquals(1, negotiation.beginOffer(), "the first real offer is version 1");
    }

    @Test
    void shouldKeepOneOfferOutstandingAndOfferOnceMoreAfterTheAnswer() throws Exception {
        negotiation.addSlot(track(1), 1, 1, 111);
        assertEquals(1, negotiation.beginOffer());

        // Two changes while offer 1 is outstanding: neither sends an offer.
        negotiation.addSlot(track(2), 2, 2, 111);
        assertEquals(SubscribeNegotiation.NO_OFFER, negotiation.beginOffer());
        assertEquals(SubscribeNegotiation.NO_OFFER, negotiation.beginOffer());

        negotiation.checkAnswer(1);
        assertTrue(negotiation.answered(), "the changes are due as one new offer");
        assertEquals(2, negotiation.beginOffer());

        negotiation.checkAnswer(2);
        assertFalse(negotiation.answered(), "nothing changed while offer 2 was outstanding");
        assertFalse(negotiation.offerOutstanding());
    }

    @Test
    void shouldAskForNoNewOfferWhenNothingChanged() throws Exception {
        negotiation.addSlot(track(1), 1, 1, 111);
        assertEquals(1, negotiation.beginOffer());
        negotiation.checkAnswer(1);
        assertFalse(negotiation.answered());
        assertEquals(2, negotiation.beginOffer(), "the next change offers at once");
    }

    /** {offers begun, whether the last was answered, the version answered, the refusal}. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0 | false | 1 | no subscribe offer is outstanding",
        "1 | false | 0 | answer is for version 0, outstanding is 1",
        "1 | false | 2 | answer is for version 2, outstanding is 1",
        "2 | false | 1 | answer is for version 1, outstanding is 2",
        "1 | true  | 1 | no subscribe offer is outstanding",
        "2 | true  | 2 | no subscribe offer is outstanding"})
    void shouldRefuseAnAnswerThatIsNotForTheOutstandingOffer(int offers, boolean lastAnswered, long answered,
                                                              String message) throws Exception {
        negotiation.addSlot(track(1), 1, 1, 111);
        for (int version = 1; version <= offers; version++) {
            assertEquals(version, negotiation.beginOffer());
            if (version < offers || lastAnswered) {
                negotiation.checkAnswer(version);
                negotiation.answered();
            }
        }
        boolean outstanding = negotiation.offerOutstanding();

        SignalingException refused = assertThrows(SignalingException.class, () -> negotiation.checkAnswer(answered));

        assertEquals("bad_state", refused.code());
        assertEquals(message, refused.getMessage());
        assertEquals(outstanding, negotiation.offerOutstanding(), "a refused answer changes nothing");
        assertEquals(offers, negotiation.version());
    }

    @Test
    void shouldKeepTheOfferOutstandingAfterARefusedAnswer() throws Exception {
        negotiation.addSlot(track(1), 1, 1, 111);
        assertEquals(1, negotiation.beginOffer());
        assertThrows(SignalingException.class, () -> negotiation.checkAnswer(2));

        assertEquals(SubscribeNegotiation.NO_OFFER, negotiation.beginOffer(), "offer 1 is still outstanding");
        negotiation.checkAnswer(1);
        assertTrue(negotiation.answered());
        assertEquals(2, negotiation.beginOffer());
    }

    @Test
    void shouldRememberThatDtlsStarted() {
        assertFalse(negotiation.dtlsStarted());
        negotiation.markDtlsStarted();
        assertTrue(negotiation.dtlsStarted());
    }

    @Test
    void shouldNumberSlotsInOrderAndFindOnlyActiveOnes() {
        SubscribeSlot first = negotiation.addSlot(track(5), 1, 1, 111);
        first.deactivate();
        SubscribeSlot again = negotiation.addSlot(track(5), 2, 2, 111);
        SubscribeSlot other = negotiation.addSlot(track(6), 3, 3, 111);

        assertEquals("0", first.mid());
        assertEquals("1", again.mid());
        assertEquals("2", other.mid(), "mids are never reused (RFC 8829 §5.2.2)");
        assertSame(again, negotiation.activeSlotFor(5));
        assertSame(other, negotiation.activeSlotFor(6));
        assertNull(negotiation.activeSlotFor(7));
        other.deactivate();
        assertNull(negotiation.activeSlotFor(6));
        assertEquals(3, negotiation.slots().size(), "inactive slots stay in the offer");
        assertFalse(negotiation.slots().get(0).toOfferSlot(false, 1).active());
    }

    @Test
    void shouldSetTheTransportOnce() {
        TransportRegistry registry = new TransportRegistry(new dev.relay.transport.DropCounters());
        negotiation.transport(registry.create());
        assertThrows(IllegalStateException.class, () -> negotiation.transport(registry.create()));
    }

    private static PublishedTrack track(int producerId, String kind) {
        return new PublishedTrack(producerId, "0", "t" + producerId, kind, kind.equals("audio") ? Codec.OPUS
                : Codec.VP8, "", 1000 + producerId, PUBLISHER);
    }

    /** "mid kind state" per m-section of the next offer, e.g. "1 video rejected". */
    private String offer(long version) {
        StringBuilder out = new StringBuilder();
        for (var slot : negotiation.offerSlots(version)) {
            out.append(out.length() == 0 ? "" : ", ").append(slot.mid()).append(' ').append(slot.kind())
                    .append(slot.rejected() ? " rejected" : slot.active() ? " active" : " inactive");
        }
        return out.toString();
    }

    private void answer(long version) throws Exception {
        negotiation.checkAnswer(version);
        negotiation.answered();
    }

    @Test
    void shouldRejectAGoneTrackAndRecycleItsPlaceWithANewMidOnlyAfterTheAnswer() throws Exception {
        SubscribeSlot audio = negotiation.addSlot(track(1, "audio"), 1, 1, 111);
        SubscribeSlot video = negotiation.addSlot(track(2, "video"), 2, 2, 96);
        assertEquals("0 audio active, 1 video active", offer(negotiation.beginOffer()));
        answer(1);

        audio.deactivate();
        video.deactivate();
        // The first m-section tags the BUNDLE group: inactive, never rejected.
        assertEquals("0 audio inactive, 1 video rejected", offer(negotiation.beginOffer()));
        negotiation.addSlot(track(3, "video"), 3, 3, 96); // offer 2 not answered: no place yet
        assertEquals(3, negotiation.slots().size());
        answer(2);

        negotiation.addSlot(track(4, "video"), 4, 4, 96);
        negotiation.addSlot(track(5, "audio"), 5, 5, 111); // no audio place to recycle
        assertEquals("0 audio inactive, 3 video active, 2 video active, 4 audio active",
                offer(negotiation.beginOffer()));
    }

    @Test
    void shouldKeepTheOfferBoundedOver30Republishes() throws Exception {
        int producer = 1;
        SubscribeSlot audio = negotiation.addSlot(track(producer++, "audio"), 1, 1, 111);
        SubscribeSlot video = negotiation.addSlot(track(producer++, "video"), 2, 2, 96);
        long version = negotiation.beginOffer();
        answer(version);
        for (int i = 0; i < 30; i++) { // the publisher replaces both tracks, the subscriber answers each offer
            audio.deactivate();
            video.deactivate();
            audio = negotiation.addSlot(track(producer++, "audio"), producer, producer, 111);
            video = negotiation.addSlot(track(producer++, "video"), producer, producer, 96);
            version = negotiation.beginOffer();
            offer(version);
            answer(version);
        }
        assertTrue(negotiation.slots().size() <= 6, "m-sections after 30 republishes: " + negotiation.slots().size());
    }
}
