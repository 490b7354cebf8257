package dev.relay.cluster;

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
 * Draws the simulation as a PNG: one panel per policy (rows) and scenario (columns), simulated
 * hours across, node utilisation up; a light band from the lowest to the highest node at each tick, a
 * darker band of one standard deviation around the mean, the mean as a line, the admission reserve as a dashed line and the warm-up shaded. A narrow
 * band is an even cluster. Plain AWT, headless, like the load generator's curves.
 */
final class SimulationPlot {
    static final int PANEL_WIDTH = 600;
    static final int PANEL_HEIGHT = 260;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 44;
    private static final int BOTTOM = 36;
    static final int HEADER = 36;
    private static final Color BAND = new Color(158, 202, 225);
    private static final Color STD_BAND = new Color(107, 174, 214);
    private static final Color MEAN = new Color(8, 81, 156);
    private static final Color WARM_UP = new Color(240, 240, 240);

    private SimulationPlot() {
    }

    static void write(List<ClusterScenario> scenarios, List<List<SimulationResult>> results, Path png)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        int rows = results.get(0).size();
        int width = PANEL_WIDTH * scenarios.size();
        int height = HEADER + PANEL_HEIGHT * rows;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(String.format(Locale.ROOT,
                "Node utilisation over time: light band = lowest to highest of %d nodes, dark band = mean +- 1 std, line = mean, dashed = reserve (seed %d)",
                ClusterScenario.NODES, scenarios.get(0).seed()), 10, 22);
        for (int c = 0; c < scenarios.size(); c++) {
            for (int r = 0; r < rows; r++) {
                panel(g, scenarios.get(c), results.get(c).get(r), c * PANEL_WIDTH, HEADER + r * PANEL_HEIGHT);
            }
        }
        g.dispose();
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    private static void panel(Graphics2D g, ClusterScenario scenario, SimulationResult result, int x0, int y0) {
        UtilisationSeries s = result.series();
        int left = x0 + LEFT;
        int right = x0 + PANEL_WIDTH - RIGHT;
        int top = y0 + TOP;
        int bottom = y0 + PANEL_HEIGHT - BOTTOM;
        double hours = Math.max(1, Math.ceil(s.tickMillis()[s.size() - 1] / 3_600_000.0));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));

        int warmUp = px(ClusterScenario.WARM_UP_MILLIS / 3_600_000.0, hours, left, right);
        g.setColor(WARM_UP);
        g.fillRect(left, top, Math.min(warmUp, right) - left, bottom - top);

        int[] xs = new int[2 * s.size()];
        int[] ys = new int[2 * s.size()];
        for (int i = 0; i < s.size(); i++) {
            int x = px(s.tickMillis()[i] / 3_600_000.0, hours, left, right);
            xs[i] = x;
            ys[i] = py(s.max()[i], top, bottom);
            xs[2 * s.size() - 1 - i] = x;
            ys[2 * s.size() - 1 - i] = py(s.min()[i], top, bottom);
        }
        g.setColor(BAND);
        g.fillPolygon(xs, ys, xs.length);
        int[] sy = new int[2 * s.size()];
        for (int i = 0; i < s.size(); i++) {
            sy[i] = py(s.mean()[i] + s.stdDev()[i], top, bottom);
            sy[2 * s.size() - 1 - i] = py(s.mean()[i] - s.stdDev()[i], top, bottom);
        }
        g.setColor(STD_BAND);
        g.fillPolygon(xs, sy, xs.length);

        g.setColor(new Color(220, 220, 220));
        for (int p = 0; p <= 100; p += 25) {
            g.drawLine(left, py(p / 100.0, top, bottom), right, py(p / 100.0, top, bottom));
        }
        g.setColor(new Color(200, 0, 0));
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        int reserve = py(1 - ClusterScenario.RESERVE, top, bottom);
        g.drawLine(left, reserve, right, reserve);

        g.setColor(MEAN);
        g.setStroke(new BasicStroke(1.6f));
        for (int i = 1; i < s.size(); i++) {
            g.drawLine(xs[i - 1], py(s.mean()[i - 1], top, bottom), xs[i], py(s.mean()[i], top, bottom));
        }
        g.setStroke(new BasicStroke(1f));

        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        for (int p = 0; p <= 100; p += 25) {
            String label = p + " %";
            g.drawString(label, left - 6 - g.getFontMetrics().stringWidth(label), py(p / 100.0, top, bottom) + 4);
        }
        int step = hours > 8 ? 2 : 1;
        for (int h = 0; h <= hours; h += step) {
            int x = px(h, hours, left, right);
            g.drawLine(x, bottom, x, bottom + 4);
            String label = h + " h";
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, bottom + 16);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.drawString(String.format(Locale.ROOT, "%s, %s (offered %.0f %%)", result.policy(), scenario.name(),
                100 * scenario.offeredLoad()), left, y0 + 16);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString(String.format(Locale.ROOT,
                "refused %d rooms, overflow %d joins; mean %.0f %%, max-min %.0f %%, std %.1f %%",
                result.roomsRefused(), result.overflowJoins(), 100 * result.meanUtilisation(),
                100 * result.meanSpread(), 100 * result.meanStdDev()),
                left, y0 + 32);
    }

    private static int px(double hour, double hours, int left, int right) {
        return left + (int) Math.round(hour / hours * (right - left));
    }

    private static int py(double utilisation, int top, int bottom) {
        return bottom - (int) Math.round(Math.max(0, Math.min(1, utilisation)) * (bottom - top));
    }
}
