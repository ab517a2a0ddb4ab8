package dev.phantom.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What an MCP server offers: server info, instructions, tools, prompts, resources, resource templates,
 * completions and the connect hook. Tools, prompts and resources can be added and removed at run time:
 * in a cluster through {@code McpTransport.registerChange}/{@code applyEverywhere} (every node applies
 * the change, then sessions get one {@code list_changed}); the {@code ...OnThisNode} methods change one
 * node's catalogue (enough alone or in local mode).
 *
 * <pre>{@code
 * McpServer server = McpServer.builder("weather", "1.0.0")
 *     .instructions("Ask for the weather of a city.")
 *     .tool(Tool.builder("weather").description("Current weather")
 *         .inputSchema("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}")
 *         .handler((args, ctx) -> CompletableFuture.completedFuture(ToolResult.text("Sunny in " + args.path("city").asText())))
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>This package has no Akka types: the same definition could serve another transport.
 */
public final class McpServer {

  /** Told after the catalogue changed (on the thread that changed it). */
  public interface ChangeListener {
    void toolsChanged();

    void promptsChanged();

    void resourcesChanged();
  }

  private final String name;
  private final String version;
  private final String title;
  private final String instructions;
  private final ConnectHook connectHook;
  private final Completions completions;
  private final int pageSize;
  // Sorted by name so pages are stable across calls and across nodes with the same catalogue.
  private final Map<String, Tool> tools = new ConcurrentSkipListMap<>();
  private final Map<String, Prompt> prompts = new ConcurrentSkipListMap<>();
  private final Map<String, Resource> resources = new ConcurrentSkipListMap<>();
  private final Map<String, ResourceTemplate> templates = new ConcurrentSkipListMap<>();
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();

  private McpServer(Builder b) {
    this.name = b.name;
    this.version = b.version;
    this.title = b.title;
    this.instructions = b.instructions;
    this.connectHook = b.connectHook;
    this.completions = b.completions;
    this.pageSize = b.pageSize;
    b.tools.forEach(t -> tools.put(t.name(), t));
    b.prompts.forEach(p -> prompts.put(p.name(), p));
    b.resources.forEach(r -> resources.put(r.uri(), r));
    b.templates.forEach(t -> templates.put(t.uriTemplate(), t));
  }

  public static Builder builder(String name, String version) {
    return new Builder(name, version);
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public Optional<String> title() {
    return Optional.ofNullable(title);
  }

  public Optional<String> instructions() {
    return Optional.ofNullable(instructions);
  }

  public ConnectHook connectHook() {
    return connectHook;
  }

  public Completions completions() {
    return completions;
  }

  public int pageSize() {
    return pageSize;
  }

  public List<Tool> tools() {
    return List.copyOf(tools.values());
  }

  public Optional<Tool> tool(String name) {
    return Optional.ofNullable(tools.get(name));
  }

  public List<Prompt> prompts() {
    return List.copyOf(prompts.values());
  }

  public Optional<Prompt> prompt(String name) {
    return Optional.ofNullable(prompts.get(name));
  }

  public List<Resource> resources() {
    return List.copyOf(resources.values());
  }

  public Optional<Resource> resource(String uri) {
    return Optional.ofNullable(resources.get(uri));
  }

  public List<ResourceTemplate> resourceTemplates() {
    return List.copyOf(templates.values());
  }

  /**
   * Adds (or replaces) a tool in <b>this node's</b> catalogue and tells the listeners (every session of
   * the cluster gets {@code list_changed}). Alone, or in local mode, that is the whole server; in a
   * cluster the other nodes do not have the tool: change a cluster's catalogue with {@code
   * McpTransport.registerChange} and {@code applyEverywhere}, which run the change on every node first.
   */
  public void addToolOnThisNode(Tool tool) {
    addToolOnThisNode(tool, true);
  }

  /**
   * Adds (or replaces) a tool; with {@code announce = false} the listeners are not told (for changes
   * applied on every node of a cluster and announced once, see {@code McpTransport.applyEverywhere}).
   */
  public void addToolOnThisNode(Tool tool, boolean announce) {
    put(tools, tool.name(), tool, announce, ChangeListener::toolsChanged);
  }

  /** Removes a tool; tells the listeners if it existed. */
  public boolean removeToolOnThisNode(String name) {
    return removeToolOnThisNode(name, true);
  }

  public boolean removeToolOnThisNode(String name, boolean announce) {
    return remove(tools, name, announce, ChangeListener::toolsChanged);
  }

  public void addPromptOnThisNode(Prompt prompt) {
    addPromptOnThisNode(prompt, true);
  }

  public void addPromptOnThisNode(Prompt prompt, boolean announce) {
    put(prompts, prompt.name(), prompt, announce, ChangeListener::promptsChanged);
  }

  public boolean removePromptOnThisNode(String name) {
    return removePromptOnThisNode(name, true);
  }

  public boolean removePromptOnThisNode(String name, boolean announce) {
    return remove(prompts, name, announce, ChangeListener::promptsChanged);
  }

  public void addResourceOnThisNode(Resource resource) {
    addResourceOnThisNode(resource, true);
  }

  public void addResourceOnThisNode(Resource resource, boolean announce) {
    put(resources, resource.uri(), resource, announce, ChangeListener::resourcesChanged);
  }

  public boolean removeResourceOnThisNode(String uri) {
    return removeResourceOnThisNode(uri, true);
  }

  public boolean removeResourceOnThisNode(String uri, boolean announce) {
    return remove(resources, uri, announce, ChangeListener::resourcesChanged);
  }

  private <T> void put(Map<String, T> catalogue, String key, T item, boolean announce, Consumer<ChangeListener> event) {
    catalogue.put(key, item);
    if (announce) listeners.forEach(event);
  }

  private <T> boolean remove(Map<String, T> catalogue, String key, boolean announce, Consumer<ChangeListener> event) {
    boolean removed = catalogue.remove(key) != null;
    if (removed && announce) listeners.forEach(event);
    return removed;
  }

  public void addChangeListener(ChangeListener listener) {
    listeners.add(listener);
  }

  public static final class Builder {
    private final String name;
    private final String version;
    private String title;
    private String instructions;
    private ConnectHook connectHook = ConnectHook.ALLOW_ALL;
    private Completions completions = Completions.NONE;
    private int pageSize = 100;
    private final List<Tool> tools = new ArrayList<>();
    private final List<Prompt> prompts = new ArrayList<>();
    private final List<Resource> resources = new ArrayList<>();
    private final List<ResourceTemplate> templates = new ArrayList<>();

    private Builder(String name, String version) {
      this.name = name;
      this.version = version;
    }

    public Builder title(String title) {
      this.title = title;
      return this;
    }

    public Builder instructions(String instructions) {
      this.instructions = instructions;
      return this;
    }

    public Builder connectHook(ConnectHook hook) {
      this.connectHook = hook;
      return this;
    }

    public Builder completions(Completions completions) {
      this.completions = completions;
      return this;
    }

    /** How many items a list page holds (cursors are opaque and self-contained). */
    public Builder pageSize(int pageSize) {
      if (pageSize < 1) throw new IllegalArgumentException("page size must be positive");
      this.pageSize = pageSize;
      return this;
    }

    public Builder tool(Tool tool) {
      tools.add(tool);
      return this;
    }

    public Builder prompt(Prompt prompt) {
      prompts.add(prompt);
      return this;
    }

    public Builder resource(Resource resource) {
      resources.add(resource);
      return this;
    }

    public Builder resourceTemplate(ResourceTemplate template) {
      templates.add(template);
      return this;
    }

    public McpServer build() {
      return new McpServer(this);
    }
  }
}
