package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulationPlotTest {

    @Test
    void shouldWriteAPanelPerPolicyAndScenario(@TempDir Path dir) throws Exception {
        List<RoomPlan> rooms = List.of(new RoomPlan(0, 60_000, 3, new long[] {1000, 2000}),
                new RoomPlan(30_000, 60_000, 2, new long[] {1000}));
        PlacementSimulation simulation = new PlacementSimulation(2, 10, new RoomCost(1), 0, 1000, 0);
        Admission admission = new Admission(0.1, 2);
        List<SimulationResult> results = List.of(simulation.run(rooms, new HeadroomPlacement(admission)),
                simulation.run(rooms, new RoundRobinPlacement(admission)));
        List<ClusterScenario> scenarios = List.of(new ClusterScenario("a", 0.8, 1), new ClusterScenario("b", 1.1, 1));
        Path png = dir.resolve("images").resolve("plot.png");

        SimulationPlot.write(scenarios, List.of(results, results), png);

        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(2 * SimulationPlot.PANEL_WIDTH, image.getWidth());
        assertEquals(SimulationPlot.HEADER + 2 * SimulationPlot.PANEL_HEIGHT, image.getHeight());
    }
}
