# syntax=docker/dockerfile:1
# BitBroker image: a pinned Bun image compiles one executable for the image's platform (amd64 or
# arm64); a pinned distroless image (glibc, nonroot, no shell) runs it. Every setting comes from the
# environment: see README.
#
#   docker build -t bitbroker --build-arg BITBROKER_COMMIT="$(git rev-parse --short=12 HEAD)" .
#   docker run --rm -p 7878:7878 -p 8080:8080 -e BROKER_NUM_PLAYERS=2 bitbroker
#
# Pins: the distroless base by tag and digest (an OCI index with linux/amd64 and linux/arm64).
# oven/bun by exact version tag only (the same Bun as package.json's devDependency): no public
# digest for it could be checked from here. Re-resolve both with
#   docker buildx imagetools inspect <image:tag>

# Dependencies and the compile run on the builder's own platform ($BUILDPLATFORM): `bun build
# --compile --target` cross-compiles, so a multi-arch build (buildx, linux/amd64 + linux/arm64)
# never runs Bun under emulation. protobufjs is plain JavaScript: its node_modules fit every platform.
FROM --platform=$BUILDPLATFORM oven/bun:1.4.5 AS deps
WORKDIR /src
COPY package.json package-lock.json ./
# Runtime dependencies only (protobufjs; ws, which only the SDK loads, on Node 20); `bun install` migrates package-lock.json and keeps it frozen.
RUN bun install --frozen-lockfile --production --ignore-scripts

FROM deps AS build
COPY tsconfig.json ./
COPY proto/ proto/
COPY src/ src/
COPY scripts/build.ts scripts/
# No .git in the build context: the commit for `bitbroker --version` comes in as a build argument.
ARG BITBROKER_COMMIT=""
# The image's platform picks the executable: the same file, byte for byte, as the release's
# bitbroker-linux-x64 or bitbroker-linux-arm64 of the same commit (its name is part of its bytes).
ARG TARGETARCH
ARG BUILDARCH
RUN case "${TARGETARCH}" in \
      amd64) arch=x64 ;; \
      arm64) arch=arm64 ;; \
      *) echo "bitbroker: no executable for TARGETARCH=${TARGETARCH}; build for linux/amd64 or linux/arm64" >&2; exit 1 ;; \
    esac \
 && BITBROKER_COMMIT="${BITBROKER_COMMIT}" bun scripts/build.ts --target "bun-linux-${arch}" --outfile "dist/bitbroker-linux-${arch}" \
 && mv "dist/bitbroker-linux-${arch}" dist/bitbroker \
 && if [ "${TARGETARCH}" = "${BUILDARCH}" ]; then dist/bitbroker --version; fi \
 && mkdir -p data

# The example game and bots run from source on Bun (compose.yaml's game and bot services), on the
# image's own platform.
FROM oven/bun:1.4.5 AS examples
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY --from=deps /src/node_modules/ node_modules/
COPY proto/ proto/
COPY src/ src/
COPY examples/ examples/
# The image's own unprivileged user "bun".
USER 1000:1000
CMD ["bun", "examples/connect4/game.ts", "--host", "broker", "--port", "7878"]

# The default target: the executable alone on distroless (glibc, CA certificates, /etc/passwd).
FROM gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f AS runtime
# The release workflow passes all three; the labels then say what `--version` and /health say.
ARG BITBROKER_COMMIT=""
ARG BITBROKER_VERSION=""
ARG BITBROKER_SOURCE=""
LABEL org.opencontainers.image.title="bitbroker" \
      org.opencontainers.image.description="Message broker for turn-based games and bots (BitBroker protocol v1)" \
      org.opencontainers.image.licenses="BSD-3-Clause" \
      org.opencontainers.image.version="${BITBROKER_VERSION}" \
      org.opencontainers.image.revision="${BITBROKER_COMMIT}" \
      org.opencontainers.image.source="${BITBROKER_SOURCE}"
COPY --from=build /src/dist/bitbroker /bitbroker
# The records volume (BROKER_DB, BROKER_RECORD_DIR), owned by nonroot: distroless has no shell to make it.
COPY --from=build --chown=65532:65532 /src/data /data
# nonroot, as the :nonroot tag already is; numeric, so a runtime can check it is not root.
USER 65532:65532
ENV BROKER_HOST=0.0.0.0 \
    BROKER_PORT=7878 \
    BROKER_HEALTH_PORT=8080 \
    BROKER_DB=/data/bitbroker.db \
    BROKER_RECORD_DIR=/data/replays \
    LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 7878 8080
# `bitbroker healthcheck` reads BROKER_HEALTH_PORT and BROKER_TLS_CERT, so it follows a changed port
# and TLS (HTTPS to the broker's own certificate): no curl needed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/bitbroker", "healthcheck"]
ENTRYPOINT ["/bitbroker"]
