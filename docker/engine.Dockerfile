# The crossdept engine (engine/: Camunda 7.24 with our enforcement plugin, REST basic auth, the
# workers' user exempt from login throttling, and the Chinese Tasklist), built by the same Maven
# build `crossdept engine start` runs (docker/build-engine.sh). Built by docker-compose.yml.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY engine ./engine
COPY docker/build-engine.sh ./docker/build-engine.sh
RUN sh docker/build-engine.sh /build

FROM eclipse-temurin:17-jre AS runtime
# curl for the compose healthcheck.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10002 --home-dir /opt/crossdept --create-home crossdept
WORKDIR /opt/crossdept
COPY --from=build /build/crossdept-engine.jar ./crossdept-engine.jar
# The settings `crossdept engine start` writes, with ${...} filled from the environment.
COPY docker/application.yml ./config/application.yml
USER crossdept
EXPOSE 8080
ENTRYPOINT ["java", "-Dfile.encoding=UTF-8", "-jar", "/opt/crossdept/crossdept-engine.jar", \
            "--spring.config.additional-location=file:/opt/crossdept/config/application.yml"]
