package strongly;

import strongly.api.Ctx;
import strongly.api.ProjectsApi;
import strongly.api.VolumesApi;
import strongly.api.WorkspacesApi;
import strongly.http.ApiServer;
import strongly.sim.Simulator;
import strongly.store.Store;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Entry point: {@code java -cp build strongly.Main --host H --port P --data DIR [--provision-delay S]}.
 * Replays the journal, starts the HTTP server, and on SIGTERM stops accepting, lets in-flight
 * requests finish and closes the journal.
 */
public final class Main {
    private Main() {}

    private static void usage(String problem) {
        System.err.println("error: " + problem);
        System.err.println("usage: serve.sh --host 127.0.0.1 --port PORT --data DIR [--provision-delay SECONDS] [--threads N]");
        System.exit(2);
    }

    public static void main(String[] args) {
        String host = "127.0.0.1";
        Integer port = null;
        String data = null;
        double delay = 1.0;
        int threads = 32;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = null;
            if (a.contains("=")) {
                v = a.substring(a.indexOf('=') + 1);
                a = a.substring(0, a.indexOf('='));
            } else if (a.startsWith("--")) {
                if (i + 1 >= args.length) usage("missing value for " + a);
                v = args[++i];
            }
            switch (a) {
                case "--host": host = v; break;
                case "--port":
                    try {
                        port = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        usage("--port must be a number");
                    }
                    if (port < 0 || port > 65535) usage("--port must be 0..65535");
                    break;
                case "--data": data = v; break;
                case "--provision-delay":
                    try {
                        delay = Double.parseDouble(v);
                    } catch (NumberFormatException e) {
                        usage("--provision-delay must be a number of seconds");
                    }
                    if (!(delay >= 0) || delay > 86400) usage("--provision-delay must be between 0 and 86400 seconds");
                    break;
                case "--threads":
                    try {
                        threads = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        usage("--threads must be a number");
                    }
                    if (threads < 1 || threads > 1024) usage("--threads must be 1..1024");
                    break;
                default: usage("unknown argument " + args[i]);
            }
        }
        if (port == null) usage("--port is required");
        if (data == null || data.isBlank()) usage("--data is required");

        Path dir = Paths.get(data).toAbsolutePath();
        Store store;
        try {
            store = new Store(dir);
        } catch (Exception e) {
            System.err.println("error: cannot open data directory " + dir + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        Simulator sim = new Simulator(store, delay);
        Ctx ctx = new Ctx(store, sim);
        ApiServer server = new ApiServer();
        WorkspacesApi workspaces = new WorkspacesApi(ctx);
        workspaces.register(server);
        new ProjectsApi(ctx, workspaces).register(server);
        new VolumesApi(ctx).register(server);
        try {
            server.start(host, port, threads);
        } catch (Exception e) {
            System.err.println("error: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            store.close();
            System.exit(1);
            return;
        }
        sim.resumeAfterStart();

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("shutting down: finishing in-flight requests");
            server.stop(3000);
            sim.stop();
            store.close();
            System.err.println("stopped; journal closed");
        }, "shutdown"));

        System.err.println("strongly API listening on http://" + host + ":" + port + ApiServer.PREFIX
                + " (data " + dir + ", provision delay " + delay + "s)");
    }
}
