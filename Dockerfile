# The one image of the platform: every service, the gateway, their migrations and the topics
# job. The command picks the component (tools/deploy/src/entrypoint.ts):
#   <service>|gateway        run it          (e.g. `messaging`)
#   migrate <service>        apply its migrations (the owner role's DATABASE_OWNER_URL)
#   topics [--dry-run]       create/reconcile the catalog's Kafka topics
# Runs as a numeric non-root user on a read-only root filesystem: nothing is written outside
# /tmp. The Helm chart (charts/switchboard) mounts an emptyDir there.
# Both stages use the same Node 24 LTS release, pinned by version (bump it on purpose).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# The lockfile decides every dependency; the whole tree (see .dockerignore) then builds dist/.
COPY package.json package-lock.json ./
COPY libs/ libs/
COPY services/ services/
COPY gateway/ gateway/
# The web console: built by tools/build.mjs into dist/console, served by the gateway.
COPY console/ console/
COPY tools/ tools/
COPY e2e/package.json e2e/package.json
COPY tsconfig.base.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
  && node tools/build.mjs \
  && npm prune --omit=dev --no-audit --no-fund --loglevel=error \
  && rm -rf node_modules/.cache

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOME=/tmp \
    NODE_OPTIONS=--disable-warning=TimeoutNegativeWarning
WORKDIR /app
# Production dependencies only (pruned above), the compiled code, and the few files the
# processes read at run time: the supergraph (gateway) and the component list (entrypoint).
COPY --from=build --chown=0:0 /src/package.json ./package.json
COPY --from=build --chown=0:0 /src/node_modules ./node_modules
COPY --from=build --chown=0:0 /src/dist ./dist
COPY --from=build --chown=0:0 /src/gateway/supergraph.graphql ./gateway/supergraph.graphql
COPY --from=build --chown=0:0 /src/tools/services.txt ./tools/services.txt
# Owned by root, run by 10001: the code cannot be changed by the process that runs it.
USER 10001:10001
EXPOSE 4000 4101 4102 4103 4104
ENTRYPOINT ["node", "--enable-source-maps", "dist/tools/deploy/src/entrypoint.js"]
CMD ["help"]
