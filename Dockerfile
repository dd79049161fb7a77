# syntax=docker/dockerfile:1.7
# MCP Gateway container image: build with the full toolchain, run on a slim Node 20 base as an unprivileged user.
#   docker build -t mcp-gateway .
#   docker run -p 4444:4444 -e JWT_SECRET_KEY=... -e AUTH_ENCRYPTION_SECRET=... -e BASIC_AUTH_PASSWORD=... mcp-gateway

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `npm install` installs the lock file's versions (see .ci/run for why not `npm ci`).
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts ./scripts
COPY src ./src
COPY migrations ./migrations
# The admin UI: Handlebars views, and the sources of its assets (Tailwind CSS, Alpine components) that
# `npm run build` compiles into public/build together with local copies of htmx and Alpine (no CDN at runtime).
COPY views ./views
COPY assets ./assets
RUN npm run build && chmod 755 dist/src/cli/*.js && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="MCP Gateway" \
      org.opencontainers.image.description="Gateway, registry and proxy for the Model Context Protocol" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=4444 \
    DATABASE_URL=sqlite:////data/mcp.db \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/views ./views
COPY --from=build --chown=node:node /app/public ./public
RUN mkdir -p /data && chown node:node /data \
 && ln -s /app/dist/src/cli/wrapper.js /usr/local/bin/mcpgateway-wrapper \
 && ln -s /app/dist/src/cli/token.js /usr/local/bin/mcpgateway-token \
 && ln -s /app/dist/src/cli/translate.js /usr/local/bin/mcpgateway-translate
USER node
VOLUME ["/data"]
EXPOSE 4444
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4444)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 on purpose: the gateway handles SIGTERM itself (probes report shutting_down, sessions close).
CMD ["node", "dist/src/main.js"]
