package dev.relay.sfu;

public enum MediaKind {
    AUDIO, VIDEO
}
