# syntax=docker/dockerfile:1
# The ingest pod image: the `tributary` command line. The operator starts one pod per Stream with
# `tributary ingest`; the push-listener uses the same image.
#   docker build -f docker/ingest-pod.Dockerfile -t ghcr.io/tributary/ingest-pod:0.1.0 .
ARG NODE_IMAGE=node:24-bookworm-slim

# Transpile and bundle our TypeScript (needs the dev dependencies: esbuild).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY crds/package.json crds/
COPY ingest-pod/package.json ingest-pod/
COPY operator/package.json operator/
COPY runtime/package.json runtime/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY docker/bundle.sh docker/
COPY crds/src crds/src
COPY runtime/src runtime/src
COPY ingest-pod/src ingest-pod/src
COPY ingest-pod/console ingest-pod/console
# No workspace named: the third-party packages go into the bundle too. The exception is koffi
# (libsrt's FFI, loaded on the first SRT input): its native binary comes from its platform
# package, so both ship in /app/node_modules. The buffer's console (static files, and hls.js)
# lands in /app/console.
RUN bash docker/bundle.sh ingest-pod/src/cli.ts /out/tributary.mjs \
  && mkdir -p /out/node_modules/@koromix \
  && cp -r node_modules/koffi /out/node_modules/ \
  && cp -r node_modules/@koromix/koffi-linux-* /out/node_modules/@koromix/ \
  && cp -r ingest-pod/console /out/console \
  && mkdir -p /out/console/vendor && cp node_modules/hls.js/dist/hls.min.js /out/console/vendor/

FROM ${NODE_IMAGE}
# libsrt for SRT pull and the push-listener's SRT listener (loaded at run time).
RUN apt-get update \
  && apt-get install -y --no-install-recommends libsrt1.5-openssl \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/ ./
# V8 flags of every `tributary` process, the pod's included (docs/operations.md, "Cost"); the
# pod-cost and latency benches read them from here. The source map next to the bundle is not
# loaded (--enable-source-maps would cost each pod tens of MB); stack traces name bundle lines.
ARG NODE_FLAGS="--max-semi-space-size=1 --v8-pool-size=1"
RUN printf '#!/bin/sh\nexec node %s /app/tributary.mjs "$@"\n' "$NODE_FLAGS" > /usr/local/bin/tributary \
  && chmod 755 /usr/local/bin/tributary
ENV NODE_ENV=production
# Numeric, so that runAsNonRoot can verify it.
USER 1000:1000
ENTRYPOINT ["tributary"]
CMD ["ingest"]
