# syntax=docker/dockerfile:1
# Kabinet's image: the web process by default, the worker with `node workers/main.ts`.
# Build: docker build -t kabinet .   Run one machine: docker run -p 3000:3000 -v kabinet:/data kabinet
# Several processes: compose.yaml. Operations: docs/operations.md.

# --- build: all dependencies, the Remix build, then the dev tools removed ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY remix.config.js vite.config.ts tsconfig.json ./
COPY app ./app
COPY server ./server
COPY workers ./workers
COPY db ./db
COPY public ./public
# The image runs Debian's ffmpeg (FFMPEG_PATH): ffmpeg-static's own binary is left out.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/ffmpeg-static

# --- runtime: Node, Debian's ffmpeg, the build and the server sources, as an unprivileged user ---
FROM node:24-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown node:node /data
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    FFMPEG_PATH=/usr/bin/ffmpeg \
    FFPROBE_PATH=/usr/bin/ffprobe
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY --from=build /app/server ./server
COPY --from=build /app/workers ./workers
COPY --from=build /app/db ./db
USER node
VOLUME ["/data"]
EXPOSE 3000
# /healthz: database, media storage and queue (a worker container overrides it: it has no HTTP).
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini forwards SIGTERM to Node (which drains) and reaps ffmpeg's children.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--max-semi-space-size=1", "--heap-growing-percent=100", "server/main.ts"]
