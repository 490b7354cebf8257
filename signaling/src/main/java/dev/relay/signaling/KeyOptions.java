package dev.relay.signaling;

import dev.relay.signaling.auth.ApiKeys;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the API keys come from, the same for the relay and for {@code relay token}: one key from
 * {@code --api-key}/{@code --api-secret} (or {@code RELAY_API_KEY}/{@code RELAY_API_SECRET}),
 * and/or a keys file of {@code key: secret} lines for rotation. Secrets are never echoed.
 */
final class KeyOptions {
    @Option(names = "--api-key", paramLabel = "KEY",
            description = "API key: the iss of the tokens it signs (env RELAY_API_KEY). With --keys-file and no "
                    + "--api-secret: which key of the file to use.")
    String apiKey = RelayMain.envOr("RELAY_API_KEY", null);

    @Option(names = "--api-secret", paramLabel = "SECRET",
            description = "Secret of --api-key, at least 32 bytes (env RELAY_API_SECRET; prefer the variable or "
                    + "--keys-file: a command line is visible to other users of the machine).")
    String apiSecret = RelayMain.envOr("RELAY_API_SECRET", null);

    @Option(names = "--keys-file", paramLabel = "FILE",
            description = "File of 'key: secret' lines, several for key rotation; a token's iss picks the secret "
                    + "(env RELAY_KEYS_FILE).")
    Path keysFile = RelayMain.pathOrNull(RelayMain.envOr("RELAY_KEYS_FILE", null));

    /** The keys; none (dev mode) if nothing is set. */
    ApiKeys load() throws IOException {
        ApiKeys keys = keysFile != null ? ApiKeys.fromFile(keysFile) : ApiKeys.none();
        if (apiSecret != null) {
            if (apiKey == null) {
                throw new IllegalArgumentException("--api-secret (RELAY_API_SECRET) is set without --api-key "
                        + "(RELAY_API_KEY)");
            }
            return keys.and(ApiKeys.of(apiKey, apiSecret));
        }
        if (apiKey != null && !keys.keys().contains(apiKey)) {
            throw new IllegalArgumentException(keysFile == null
                    ? "--api-key (RELAY_API_KEY) is set without --api-secret (RELAY_API_SECRET)"
                    : "API key '" + apiKey + "' is not in " + keysFile);
        }
        return keys;
    }
}
