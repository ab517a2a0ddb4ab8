package dev.phantom.bench.sdk;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import io.modelcontextprotocol.spec.McpSchema.Tool;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http11.Http11NioProtocol;

/**
 * Benchmark target: a minimal MCP server built only from the official MCP Java SDK
 * (Streamable HTTP servlet transport) inside an embedded Tomcat bound to 127.0.0.1.
 *
 * <p>Usage: {@code java -jar sdk-echo-server.jar [--port 8090] [--immediate]}
 */
public final class SdkEchoServer {

    static final String SERVER_NAME = "sdk-echo";
    static final String SERVER_VERSION = "1";
    static final String ENDPOINT = "/mcp";
    static final int DEFAULT_PORT = 8090;

    /** Loopback only: the benchmark never listens on a routable address. */
    static final byte[] LOOPBACK_V4 = {127, 0, 0, 1};

    // Connector limits (see README "Tomcat settings").
    static final int MAX_CONNECTIONS = 20_000;
    static final int MAX_THREADS = 200;
    static final int CONNECTION_TIMEOUT_MS = 600_000;
    static final int KEEP_ALIVE_TIMEOUT_MS = 600_000;
    static final int MAX_KEEP_ALIVE_REQUESTS = -1;

    static final String ECHO_INPUT_SCHEMA =
            "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}";

    private SdkEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = DEFAULT_PORT;
        boolean immediate = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port":
                    if (i + 1 >= args.length) {
                        usage("--port needs a value");
                    }
                    try {
                        port = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        usage("bad port: " + args[i]);
                    }
                    if (port < 0 || port > 65535) {
                        usage("bad port: " + port);
                    }
                    break;
                case "--immediate":
                    immediate = true;
                    break;
                case "-h":
                case "--help":
                    usage(null);
                    break;
                default:
                    usage("unknown argument: " + args[i]);
            }
        }
        quietJavaUtilLogging();

        McpJsonMapper jsonMapper = McpJsonDefaults.getMapper();

        HttpServletStreamableServerTransportProvider transport =
                HttpServletStreamableServerTransportProvider.builder()
                        .jsonMapper(jsonMapper)
                        .mcpEndpoint(ENDPOINT)
                        .build();

        McpServer.SyncSpecification<?> spec = McpServer.sync(transport)
                .serverInfo(SERVER_NAME, SERVER_VERSION)
                .capabilities(ServerCapabilities.builder().tools(false).build())
                .tools(echoTool(jsonMapper));
        if (immediate) {
            // Run sync tool handlers on the calling thread instead of Reactor's boundedElastic scheduler.
            spec.immediateExecution(true);
        }
        McpSyncServer mcpServer = spec.build();

        Path baseDir = Files.createTempDirectory("sdk-echo-tomcat-");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());

        Connector connector = new Connector(Http11NioProtocol.class.getName());
        connector.setPort(port);
        Http11NioProtocol http = (Http11NioProtocol) connector.getProtocolHandler();
        http.setAddress(InetAddress.getByAddress(LOOPBACK_V4));
        http.setMaxConnections(MAX_CONNECTIONS);
        http.setMaxThreads(MAX_THREADS);
        http.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        http.setKeepAliveTimeout(KEEP_ALIVE_TIMEOUT_MS);
        http.setMaxKeepAliveRequests(MAX_KEEP_ALIVE_REQUESTS);
        tomcat.setConnector(connector);

        Context context = tomcat.addContext("", null);
        Wrapper wrapper = Tomcat.addServlet(context, "mcp", transport);
        wrapper.setAsyncSupported(true); // SSE responses use AsyncContext
        wrapper.setLoadOnStartup(1);
        context.addServletMappingDecoded(ENDPOINT, "mcp");

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                mcpServer.close();
            } catch (RuntimeException e) {
                System.err.println("sdk-echo: closing MCP server failed: " + e);
            }
            try {
                tomcat.stop();
                tomcat.destroy();
            } catch (Exception e) {
                System.err.println("sdk-echo: stopping Tomcat failed: " + e);
            }
            deleteRecursively(baseDir);
        }, "sdk-echo-shutdown"));

        tomcat.start();
        if (connector.getState() != LifecycleState.STARTED || connector.getLocalPort() <= 0) {
            System.err.println("sdk-echo: could not start HTTP connector on 127.0.0.1:" + port
                    + " (state " + connector.getState() + ")");
            System.exit(1);
        }

        System.out.println("sdk-echo listening on http://127.0.0.1:" + connector.getLocalPort() + ENDPOINT
                + " (immediateExecution=" + immediate + ")");
        System.out.flush();

        tomcat.getServer().await();
    }

    /** The single {@code echo} tool: returns its {@code text} argument as one text content item. */
    static SyncToolSpecification echoTool(McpJsonMapper jsonMapper) {
        Tool tool = Tool.builder()
                .name("echo")
                .description("Returns the text argument unchanged")
                .inputSchema(jsonMapper, ECHO_INPUT_SCHEMA)
                .build();
        return SyncToolSpecification.builder()
                .tool(tool)
                .callHandler((exchange, request) -> echo(request))
                .build();
    }

    static CallToolResult echo(CallToolRequest request) {
        Map<String, Object> arguments = request.arguments();
        Object text = arguments == null ? null : arguments.get("text");
        if (!(text instanceof String)) {
            return CallToolResult.builder()
                    .addTextContent("echo: argument 'text' (string) is required")
                    .isError(true)
                    .build();
        }
        return CallToolResult.builder().addTextContent((String) text).isError(false).build();
    }

    /** Tomcat logs through java.util.logging; keep it at WARNING like the SLF4J side. */
    private static void quietJavaUtilLogging() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(Level.WARNING);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort cleanup of the temporary Tomcat base directory
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void usage(String error) {
        if (error != null) {
            System.err.println("sdk-echo: " + error);
        }
        System.err.println("usage: java -jar sdk-echo-server.jar [--port N] [--immediate]");
        System.exit(error == null ? 0 : 2);
    }
}
