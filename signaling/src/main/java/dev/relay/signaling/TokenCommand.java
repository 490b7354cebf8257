package dev.relay.signaling;

import dev.relay.signaling.auth.TokenIssuer;
import dev.relay.signaling.auth.VideoGrant;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relay token}: prints an access token signed with the relay's own API key, for trying a
 * keyed relay and for scripts. Applications mint theirs with any LiveKit server SDK or JWT
 * library (docs/signaling.md "Authentication").
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print an access token (HS256 JWT) for one room, signed with the relay's API key.")
final class TokenCommand implements Callable<Integer> {
    @Mixin
    KeyOptions keys = new KeyOptions();

    @Option(names = "--room", required = true, description = "The one room the token may join.")
    String room;

    @Option(names = "--identity", required = true, description = "Who the participant is (sub).")
    String identity;

    @Option(names = "--name", description = "Display name (default: the identity).")
    String name;

    @Option(names = "--ttl", converter = RelayMain.DurationConverter.class,
            description = "How long the token is valid, e.g. 6h, 30m (default: 6h).")
    Duration ttl = Duration.ofHours(6);

    @Option(names = "--no-publish", description = "canPublish: false (subscribe only).")
    boolean noPublish;

    @Option(names = "--no-subscribe", description = "canSubscribe: false (receives no tracks).")
    boolean noSubscribe;

    @Option(names = "--hidden", description = "hidden: not announced to the others; may not publish.")
    boolean hidden;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!MessageDispatcher.ROOM_NAME.matcher(room).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--room must be 1-64 characters of A-Z a-z 0-9 _ . -");
        }
        if (identity.isBlank() || identity.length() > 128) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--identity must be 1-128 characters");
        }
        if (name != null && name.length() > 64) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--name must be at most 64 characters");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ttl must be positive");
        }
        TokenIssuer issuer;
        try {
            issuer = TokenIssuer.forKey(keys.load(), keys.apiKey, InstantSource.system());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        VideoGrant grant = new VideoGrant(room, true, !noPublish, !noSubscribe, true, hidden);
        spec.commandLine().getOut().println(issuer.issue(identity, name, grant, ttl));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
