package dev.phantom.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ConnectHook;
import dev.phantom.mcp.LogLevel;

/** What a request needs to know of its session, handed over when it registers. */
public record SessionInfo(
    String sessionId,
    String protocolVersion,
    ObjectNode clientInfo,
    ObjectNode clientCapabilities,
    LogLevel logLevel,
    String principal,
    ConnectHook.AllowList allowList)
    implements ClusterMessage {}
