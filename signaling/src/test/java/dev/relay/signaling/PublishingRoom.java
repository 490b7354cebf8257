package dev.relay.signaling;

import dev.relay.sfu.Codec;

/**
 * A room of two for tests that count tracks: alice publishes audio (Producer 1) and video
 * (Producer 2); bob subscribes to both, his audio slot inactive (Consumer 7 gone) and his video
 * slot forwarding (Consumer 8).
 */
final class PublishingRoom {
    private PublishingRoom() {
    }

    static Room create() {
        Room room = new Room("r", null, null);
        Participant alice = new Participant("p1", "alice", room, null);
        Participant bob = new Participant("p2", "bob", room, null);
        room.add(alice);
        room.add(bob);
        PublishedTrack audio = new PublishedTrack(1, "0", "a", "audio", Codec.OPUS, "", 11, alice);
        PublishedTrack video = new PublishedTrack(2, "1", "v", "video", Codec.VP8, "", 12, alice);
        alice.publish().add(audio);
        alice.publish().add(video);
        bob.subscribe().addSlot(audio, 7, 21, 111).deactivate();
        bob.subscribe().addSlot(video, 8, 22, 96);
        return room;
    }
}
