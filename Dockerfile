# syntax=docker/dockerfile:1
# Reef's image: docker build -t ghcr.io/reef-dev/reef:0.1.0 .   (docs/deploy-kubernetes.md)
# The agents' image is another one: deploy/agent-image/Dockerfile.

# --- build: the executable jar, as ./reef build makes it -----------------------------------------------------------
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY . .
# -DskipTests, not -Dmaven.test.skip: reef-kubernetes compiles against the platform's test jar
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -DskipTests package -pl reef-server -am

# --- run: a JRE, Reef's jar, a non-root user -----------------------------------------------------------------------
FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 10001 reef \
 && useradd --system --uid 10001 --gid reef --home-dir /var/lib/reef --no-create-home --shell /usr/sbin/nologin reef \
 && mkdir -p /var/lib/reef \
 && chown reef:reef /var/lib/reef
COPY --from=build /src/reef-server/target/reef-server.jar /opt/reef/reef-server.jar
# the JVM options Reef ships with (the collector; why: in the file)
COPY --from=build /src/reef-server/jvm.options /opt/reef/jvm.options
# the data dir: the usage journal (and, without REEF_DATABASE_URL, the embedded database and master key)
ENV REEF_DATA_DIR=/var/lib/reef
VOLUME /var/lib/reef
WORKDIR /var/lib/reef
EXPOSE 8080
USER 10001:10001
# more JVM options: JDK_JAVA_OPTIONS
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "@/opt/reef/jvm.options", "-jar", "/opt/reef/reef-server.jar"]
