# syntax=docker/dockerfile:1
#
# One image for both processes. The gateway is the default command; the worker service in
# docker-compose.yml overrides it with `node --import tsx src/worker/main.ts`.
#
# Debian (glibc), never Alpine: Temporal's native core bridge (@temporalio/core-bridge) and the
# @swc/core binary the worker bundles workflows with are glibc builds, and better-sqlite3's
# prebuilt binaries target glibc too. On musl they fail to load or have to be compiled.

# ---- deps: production node_modules, with the toolchain native modules may need -------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary when one matches; if none does it builds from
# source with node-gyp, which needs python3, make and a C++ compiler. They stay in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# tsx is a runtime dependency (the services run TypeScript directly), so dev dependencies can go.
# Install scripts are needed (better-sqlite3, esbuild, protobufjs); package.json's allowScripts
# lists them for npm versions that ask for approval.
RUN npm ci --omit=dev --no-audit --no-fund

# ---- runtime ----------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Dependencies and sources stay owned by root: the `node` user can read them but not change them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
# For a SQLite ledger (DATABASE_URL=sqlite:/data/ledger.sqlite with a volume on /data; the
# compose setup uses PostgreSQL instead). A fresh named volume takes this directory's owner, so
# `node` can write to the volume without root.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "src/gateway/main.ts"]
