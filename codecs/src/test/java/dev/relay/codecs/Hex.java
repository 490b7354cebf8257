package dev.relay.codecs;

import java.io.ByteArrayOutputStream;

/**
 * Test fixtures as annotated hex: whitespace is ignored and {@code #} starts a comment that runs
 * to the end of the line, so each field can be labelled the way the RFC diagrams are.
 */
public final class Hex
{
    private Hex()
    {
    }

    public static byte[] bytes(final String annotated)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int high = -1;
        boolean comment = false;
        for (int i = 0; i < annotated.length(); i++)
        {
            final char c = annotated.charAt(i);
            if (comment)
            {
                comment = c != '\n';
                continue;
            }
            if (c == '#')
            {
                comment = true;
                continue;
            }
            if (Character.isWhitespace(c) || c == '|')
            {
                continue;
            }
            final int digit = Character.digit(c, 16);
            if (digit < 0)
            {
                throw new IllegalArgumentException("not hex: '" + c + "' at " + i);
            }
            if (high < 0)
            {
                high = digit;
            }
            else
            {
                out.write(high << 4 | digit);
                high = -1;
            }
        }
        if (high >= 0)
        {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        return out.toByteArray();
    }

    public static String toHex(final byte[] buf, final int off, final int len)
    {
        final StringBuilder sb = new StringBuilder(len * 2);
        for (int i = 0; i < len; i++)
        {
            sb.append(Character.forDigit((buf[off + i] >> 4) & 0xF, 16))
                .append(Character.forDigit(buf[off + i] & 0xF, 16));
        }
        return sb.toString();
    }
}
