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
RUN npm install --ignore-scripts --no-audit --no-fund
COPY docker/bundle.sh docker/
COPY crds/src crds/src
COPY ingest-pod/src ingest-pod/src
RUN bash docker/bundle.sh ingest-pod/src/cli.ts /out/tributary.mjs ingest-pod crds

# Only the run-time dependencies of the ingest-pod workspace.
FROM ${NODE_IMAGE} AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY crds/package.json crds/
COPY ingest-pod/package.json ingest-pod/
COPY operator/package.json operator/
RUN npm install --omit=dev --workspace=@tributary/ingest-pod --include-workspace-root=false --no-audit --no-fund \
  && rm -rf node_modules/@tributary

FROM ${NODE_IMAGE}
# libsrt for SRT pull and the push-listener's SRT listener (loaded at run time).
RUN apt-get update \
  && apt-get install -y --no-install-recommends libsrt1.5-openssl \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=runtime-deps /app/node_modules node_modules
COPY --from=build /out/ ./
RUN printf '#!/bin/sh\nexec node /app/tributary.mjs "$@"\n' > /usr/local/bin/tributary \
  && chmod 755 /usr/local/bin/tributary
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps
# Numeric, so that runAsNonRoot can verify it.
USER 1000:1000
ENTRYPOINT ["tributary"]
CMD ["ingest"]
