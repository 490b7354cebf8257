package dev.relay.loadgen;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws {@link Curves} as a PNG: the swept value across, egress packets per server CPU-second up,
 * one line per server with a marker per point. A failed point (NaN) breaks its line and is marked
 * "failed" under the axis in the server's colour, so a gap is never read as a zero. Plain AWT,
 * headless, like the bandwidth-step plot of the integration tests.
 */
final class CurvePlot {
    static final int WIDTH = 900;
    static final int HEIGHT = 480;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;
    private static final Color[] COLOURS = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(148, 103, 189)};

    private CurvePlot() {
    }

    static void write(Curves curves, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double[] xs = curves.xs();
        List<String> servers = curves.servers();
        double yMax = Double.NaN;
        for (String server : servers) {
            double m = AxisScale.maxOf(curves.series(server));
            yMax = Double.isNaN(yMax) || m > yMax ? m : yMax;
        }
        // Headroom above the highest point, so that it never sits on the frame.
        AxisScale y = AxisScale.fromZero(yMax * 1.05, 6);
        AxisScale x = AxisScale.between(0, AxisScale.maxOf(xs) * 1.05);
        int plotRight = WIDTH - RIGHT;
        int plotBottom = HEIGHT - BOTTOM;

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        g.setColor(new Color(230, 230, 230));
        for (double t : y.ticks()) {
            int py = y.pixel(t, plotBottom, TOP);
            g.drawLine(LEFT, py, plotRight, py);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotRight - LEFT, plotBottom - TOP);
        for (double t : y.ticks()) {
            String label = String.format(Locale.ROOT, "%,.0f", t);
            g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y.pixel(t, plotBottom, TOP) + 4);
        }
        for (double v : xs) {
            int px = x.pixel(v, LEFT, plotRight);
            String label = String.format(Locale.ROOT, "%.0f", v);
            g.drawLine(px, plotBottom, px, plotBottom + 4);
            g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, plotBottom + 18);
        }
        String xLabel = curves.sweep().parameter().label();
        g.drawString(xLabel, (LEFT + plotRight - g.getFontMetrics().stringWidth(xLabel)) / 2, HEIGHT - 14);
        g.drawString("egress packets per server CPU-second (subscribers' count)", 10, TOP - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString("sweep " + curves.sweep().parameter().label() + ": " + curves.scenario(), 10, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        g.setStroke(new BasicStroke(2f));
        for (int s = 0; s < servers.size(); s++) {
            Color colour = COLOURS[s % COLOURS.length];
            double[] ys = curves.series(servers.get(s));
            g.setColor(colour);
            for (int i = 0; i < xs.length; i++) {
                int px = x.pixel(xs[i], LEFT, plotRight);
                if (Double.isNaN(ys[i])) {
                    String failed = servers.get(s) + " failed";
                    g.drawString(failed, px - g.getFontMetrics().stringWidth(failed) / 2, plotBottom + 34 + 14 * s);
                    continue;
                }
                int py = y.pixel(ys[i], plotBottom, TOP);
                g.fillOval(px - 4, py - 4, 8, 8);
                if (i > 0 && !Double.isNaN(ys[i - 1])) {
                    g.drawLine(x.pixel(xs[i - 1], LEFT, plotRight), y.pixel(ys[i - 1], plotBottom, TOP), px, py);
                }
            }
            // Legend above the frame's right end, out of the curves' way.
            int lx = WIDTH - RIGHT - 90 * (servers.size() - s);
            g.drawLine(lx, TOP - 16, lx + 24, TOP - 16);
            g.drawString(servers.get(s), lx + 30, TOP - 12);
        }
        g.dispose();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }
}
