package dev.relay.cluster;

import java.nio.file.Path;
import java.util.List;

final class SimulationPlot {
    private SimulationPlot() {
    }

    static void write(List<ClusterScenario> scenarios, List<List<SimulationResult>> results, Path png) {
    }
}
