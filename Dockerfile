# Phantom for Akka: one cluster node per container.
#
#   docker build -t phantom-akka .
#   docker run --rm -p 127.0.0.1:8080:8080 -e PHANTOM_CLUSTER_BIND_HOST=127.0.0.1 \
#     -e PHANTOM_DEMO_ENABLED=true phantom-akka                   # a one-node cluster with the demo tools
#   docker compose up --build                                     # three nodes behind nginx (docker-compose.yml)
#
# Configuration is by environment (see README.md): PHANTOM_HTTP_HOST/PORT, PHANTOM_CLUSTER_HOST
# (the name other nodes reach this container at), PHANTOM_CLUSTER_BIND_HOST, PHANTOM_CLUSTER_PORT,
# PHANTOM_SEED_NODES, PHANTOM_ARTERY_* (Artery over TLS, see docs/security-deployment.md). The node
# refuses to run Artery without TLS on a non-loopback address such as the 0.0.0.0 below: give it its
# TLS stores, or bind Artery to 127.0.0.1 for a single node. Other settings as system properties in
# JAVA_TOOL_OPTIONS, for example
# JAVA_TOOL_OPTIONS="-Dphantom.mcp.allowed-hosts.0=localhost -Dphantom.mcp.allowed-hosts.1=proxy".

# ---- build ------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies first, so a source change does not download them again.
COPY pom.xml ./
RUN mvn -q -B -ntp dependency:go-offline
COPY application.conf ./
COPY src ./src
RUN mvn -q -B -ntp -DskipTests package

# ---- run --------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre
RUN groupadd --system phantom \
 && useradd --system --gid phantom --home-dir /app --no-create-home --shell /usr/sbin/nologin phantom \
 && mkdir -p /app \
 && chown phantom:phantom /app
WORKDIR /app
COPY --from=build /build/target/phantom-akka.jar /app/phantom-akka.jar
# The healthcheck needs only bash: the image does not reliably ship curl or wget.
COPY deploy/healthcheck /usr/local/bin/phantom-healthcheck
RUN chmod 0755 /usr/local/bin/phantom-healthcheck

# Inside a container the node listens on every interface; PHANTOM_CLUSTER_HOST must still be set to
# the name other nodes reach it at (its service name in docker-compose.yml).
ENV PHANTOM_HTTP_HOST=0.0.0.0 \
    PHANTOM_HTTP_PORT=8080 \
    PHANTOM_CLUSTER_BIND_HOST=0.0.0.0 \
    PHANTOM_CLUSTER_PORT=25520

USER phantom
# 8080: HTTP (MCP on /mcp, /health/live, /health/ready). 25520: Akka Artery (cluster; TLS when the
# PHANTOM_ARTERY_* stores are given). The admin listener (PHANTOM_ADMIN_*) is not exposed.
EXPOSE 8080 25520

# Ready = this node is Up in the cluster. A node takes a few seconds to join.
HEALTHCHECK --interval=5s --timeout=4s --start-period=60s --retries=3 CMD ["/usr/local/bin/phantom-healthcheck"]

# java is PID 1 and gets SIGTERM itself: Akka's coordinated shutdown leaves the cluster. A node that
# the cluster downs (split brain resolver) exits, and the restart policy brings it back as a new
# incarnation; so does an OutOfMemoryError.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/phantom-akka.jar"]
