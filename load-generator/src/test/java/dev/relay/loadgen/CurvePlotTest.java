package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plot of fixed numbers, with a gap in it, is a PNG of the plot's size (no pixel comparison). */
class CurvePlotTest {

    @Test
    void shouldWriteAPngThatDecodes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("nested").resolve("curves.png");
        CurvePlot.write(CurvesTest.sample(), file);
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, "not a decodable image");
        assertEquals(CurvePlot.WIDTH, image.getWidth());
        assertEquals(CurvePlot.HEIGHT, image.getHeight());
    }
}
