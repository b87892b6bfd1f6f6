# syntax=docker/dockerfile:1
# The operator image: reconciles Streams into ingest pods. Configured through environment
# variables (see charts/tributary/templates/operator/_env.tpl).
#   docker build -f docker/operator.Dockerfile -t ghcr.io/tributary/operator:0.1.0 .
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
COPY operator/src operator/src
RUN bash docker/bundle.sh operator/src/main.ts /out/operator.mjs operator crds runtime

# Only the run-time dependencies of the operator workspace.
FROM ${NODE_IMAGE} AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY crds/package.json crds/
COPY ingest-pod/package.json ingest-pod/
COPY operator/package.json operator/
COPY runtime/package.json runtime/
RUN npm ci --omit=dev --workspace=@tributary/operator --include-workspace-root=false --no-audit --no-fund \
  && rm -rf node_modules/@tributary

FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=runtime-deps /app/node_modules node_modules
COPY --from=build /out/ ./
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps
# Numeric, so that runAsNonRoot can verify it.
USER 1000:1000
ENTRYPOINT ["node", "/app/operator.mjs"]
