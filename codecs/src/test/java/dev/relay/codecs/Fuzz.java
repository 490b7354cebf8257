package dev.relay.codecs;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded, dependency-free stand-in for coverage-guided fuzzing: feeds a parser random bytes,
 * truncations and mutations of valid seeds, at random offsets inside larger arrays, and reports
 * the input that made it throw. Nothing on the packet path may throw on peer bytes.
 */
public final class Fuzz
{
    public static final int ITERATIONS = 20_000;

    /** Receives one input; must run wrap() and, when it succeeds, every accessor. */
    @FunctionalInterface
    public interface Target
    {
        void accept(byte[] buf, int off, int len);
    }

    private Fuzz()
    {
    }

    public static void run(final long seed, final List<byte[]> seeds, final Target target)
    {
        final Random random = new Random(seed);
        for (int i = 0; i < ITERATIONS; i++)
        {
            final byte[] input = input(random, seeds, i);
            final int prefix = random.nextInt(4);
            final int suffix = random.nextInt(4);
            final byte[] buf = new byte[prefix + input.length + suffix];
            random.nextBytes(buf);
            System.arraycopy(input, 0, buf, prefix, input.length);
            try
            {
                target.accept(buf, prefix, input.length);
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError(
                    "iteration " + i + " threw on " + Hex.toHex(input, 0, input.length), ex);
            }
        }
        // Ranges that do not fit the array must be refused, not indexed.
        final byte[] small = new byte[8];
        target.accept(small, -1, 4);
        target.accept(small, 6, 4);
        target.accept(small, 0, -1);
        target.accept(small, Integer.MAX_VALUE, 2);
        target.accept(null, 0, 0);
    }

    private static byte[] input(final Random random, final List<byte[]> seeds, final int i)
    {
        final byte[] seed = seeds.get(random.nextInt(seeds.size()));
        switch (i % 4)
        {
            case 0:
                final byte[] noise = new byte[random.nextInt(96)];
                random.nextBytes(noise);
                // Keep the first byte plausible half the time so deeper code is reached.
                if (noise.length > 0 && seed.length > 0 && random.nextBoolean())
                {
                    noise[0] = seed[0];
                }
                return noise;
            case 1:
                return Arrays.copyOf(seed, random.nextInt(seed.length + 1));
            case 2:
                return mutate(random, seed.clone());
            default:
                final byte[] grown = Arrays.copyOf(seed, seed.length + random.nextInt(16));
                return mutate(random, Arrays.copyOf(grown, random.nextInt(grown.length + 1)));
        }
    }

    private static byte[] mutate(final Random random, final byte[] buf)
    {
        if (buf.length == 0)
        {
            return buf;
        }
        final int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++)
        {
            final int index = random.nextInt(buf.length);
            switch (random.nextInt(3))
            {
                case 0:
                    buf[index] ^= (byte)(1 << random.nextInt(8));
                    break;
                case 1:
                    buf[index] = (byte)random.nextInt(256);
                    break;
                default:
                    buf[index] = random.nextBoolean() ? (byte)0xFF : 0;
                    break;
            }
        }
        return buf;
    }
}
