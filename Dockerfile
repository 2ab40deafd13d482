# The bot for production: compiled JavaScript on Node 22, run as the unprivileged `node` user.
#   docker build -t sme-dx-assistant .
#   docker run -p 8080:8080 -v dx-data:/data --env-file .env sme-dx-assistant
# Without DATABASE_URL it keeps the embedded database in /data (mount a volume); see compose.yaml
# for Postgres + pgvector and two instances.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-assets.mjs scripts/
COPY src src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=8080 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# Read at run time: knowledge and programme rules, prompts, migrations.
COPY knowledge knowledge
COPY prompts prompts
COPY migrations migrations
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/node.js"]
