package dev.relay.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration folder of a Janus started for one run ({@code janus -C janus.jcfg -F DIR}):
 * the core with only the VideoRoom plugin and the HTTP transport, ICE on the namespace's veth
 * only (no IPv6, no loopback), low logging, and the HTTP API on the namespace's address. Pure:
 * returns file names and contents; {@link JanusProcess} writes them.
 *
 * @param configsFolder    where the files go (Janus reads its plugins' configs from there)
 * @param pluginsFolder    the installed plugins, e.g. /usr/lib/x86_64-linux-gnu/janus/plugins
 * @param transportsFolder the installed transports
 * @param emptyFolder      an empty folder for event handlers and loggers: none are loaded
 * @param plugins          file names in pluginsFolder; all but VideoRoom are disabled
 * @param transports       file names in transportsFolder; all but HTTP are disabled
 * @param address          the namespace address the HTTP API binds to
 * @param httpPort         the HTTP API's port
 * @param iceInterface     the only interface Janus gathers candidates on (the veth's server end)
 * @param debugLevel       Janus's debug_level: 3 = warnings and errors
 * @param eventLoops       Janus's event_loops: 0 keeps its default (a thread per handle), N shares N loops
 */
record JanusConfig(String configsFolder, String pluginsFolder, String transportsFolder, String emptyFolder,
                   List<String> plugins, List<String> transports, String address, int httpPort, String iceInterface,
                   int debugLevel, int eventLoops) {

    static final String VIDEOROOM_PLUGIN = "libjanus_videoroom.so";
    static final String HTTP_TRANSPORT = "libjanus_http.so";

    /** File name to content, janus.jcfg first. */
    Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("janus.jcfg", core());
        files.put("janus.plugin.videoroom.jcfg", "general: {\n}\n");
        files.put("janus.transport.http.jcfg", http());
        return files;
    }

    /** Every installed module but the wanted one, for a {@code disable} list. */
    static List<String> allBut(List<String> installed, String wanted) {
        List<String> out = new ArrayList<>();
        for (String name : installed) {
            // Only the unversioned .so is a module file; the versioned names are its symlink targets.
            if (name.endsWith(".so") && !name.equals(wanted)) {
                out.add(name);
            }
        }
        return out;
    }

    private String core() {
        return "general: {\n"
                + "\tconfigs_folder = " + quote(configsFolder) + "\n"
                + "\tplugins_folder = " + quote(pluginsFolder) + "\n"
                + "\ttransports_folder = " + quote(transportsFolder) + "\n"
                + "\tevents_folder = " + quote(emptyFolder) + "\n"
                + "\tloggers_folder = " + quote(emptyFolder) + "\n"
                + "\tdebug_level = " + debugLevel + "\n"
                + "\tdebug_timestamps = true\n"
                + "\tsession_timeout = 60\n"
                + (eventLoops > 0 ? "\tevent_loops = " + eventLoops + "\n" : "")
                + "\tserver_name = \"loadgen-janus\"\n"
                // The address Janus puts in its SDP's c= lines; it finds none of its own at start in a new namespace.
                + "\tinterface = " + quote(address) + "\n"
                + "}\n"
                + "media: {\n"
                + "\tipv6 = false\n"
                + "\trtp_port_range = \"20000-60000\"\n"
                + "}\n"
                + "nat: {\n"
                + "\tnice_debug = false\n"
                + "\tice_lite = false\n"
                + "\tice_tcp = false\n"
                + "\tfull_trickle = false\n"
                + "\tice_enforce_list = " + quote(iceInterface) + "\n"
                + "}\n"
                + "plugins: {\n"
                + "\tdisable = " + quote(String.join(",", allBut(plugins, VIDEOROOM_PLUGIN))) + "\n"
                + "}\n"
                + "transports: {\n"
                + "\tdisable = " + quote(String.join(",", allBut(transports, HTTP_TRANSPORT))) + "\n"
                + "}\n"
                + "events: {\n"
                + "\tbroadcast = false\n"
                + "}\n";
    }

    private String http() {
        return "general: {\n"
                + "\tjson = \"compact\"\n"
                + "\tbase_path = \"/janus\"\n"
                + "\thttp = true\n"
                + "\tport = " + httpPort + "\n"
                + "\tip = " + quote(address) + "\n"
                + "\thttps = false\n"
                + "}\n"
                + "admin: {\n"
                + "\tadmin_http = false\n"
                + "\tadmin_https = false\n"
                + "}\n";
    }

    /** A libconfig string: backslashes and quotes escaped. */
    static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
