# syntax=docker/dockerfile:1
# The relay's image (docs/operations.md "Deploying on Kubernetes with Helm"):
#   docker build -t relay:0.1.0 .
# Stage 1 builds signaling/target/relay.jar and its lib/ with Maven; stage 2 is a JRE 17 with
# only those, run as a non-root user. Nothing is written outside /tmp, so the container runs with
# a read-only root filesystem (mount an emptyDir or tmpfs at /tmp).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 between builds (BuildKit, the default builder).
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl signaling -am -Dmaven.test.skip=true package \
 && mkdir -p /out && cp signaling/target/relay.jar /out/ && cp -r signaling/target/lib /out/lib

FROM eclipse-temurin:17-jre
# The numeric id lets Kubernetes check runAsNonRoot without reading /etc/passwd.
RUN groupadd --system --gid 10001 relay \
 && useradd --system --uid 10001 --gid relay --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin relay
WORKDIR /opt/relay
COPY --from=build /out/ /opt/relay/
# Heap from the container's memory limit, leaving room for the direct memory the rings take
# (docs/operations.md "Sizing": 16 MiB per worker + 32 MiB per socket, off-heap). The JVM
# writes its temp files and any crash log under /tmp, the one writable path.
ENV JAVA_TOOL_OPTIONS="-XX:+UseContainerSupport -XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError -XX:ErrorFile=/tmp/hs_err_pid%p.log -Djava.io.tmpdir=/tmp -Djna.tmpdir=/tmp" \
    RELAY_BIND=0.0.0.0 \
    RELAY_HTTP_PORT=8080 \
    RELAY_MEDIA_PORT=10000
USER 10001:10001
# 8080/tcp: web client, signaling WebSocket /ws, /healthz, /readyz (and /metrics unless
# RELAY_METRICS_PORT is set, e.g. 9090); 10000/udp: ICE, DTLS and SRTP of every peer.
EXPOSE 8080/tcp 9090/tcp 10000/udp 10000/tcp
ENTRYPOINT ["java", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-jar", "/opt/relay/relay.jar"]
