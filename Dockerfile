# pgdir container image: multi-stage, runs as the unprivileged `node` user.
#   docker build -t pgdir .
#   docker run -d --name pgdir -p 636:6360 -p 127.0.0.1:8080:8080 -v pgdir-data:/var/lib/pgdir pgdir
#   docker exec pgdir pgdir users add --username alice --email alice@example.com
# Configuration: mount a file at /etc/pgdir/pgdir.yaml, or set PGDIR_* variables (see
# config/pgdir.example.yaml); PostgreSQL via PGDIR_DATABASE__URL(_FILE), else embedded PGlite
# in the volume.
# Health: bin/pgdir-healthcheck.js asks GET /readyz on the HTTP listener (PGDIR_HTTP__LISTEN, or
# http.listen in the mounted file; HTTPS when http.tls is set), or PGDIR_HEALTHCHECK_URL if given.
# OCI labels: VERSION defaults to package.json's; for a release also pass the commit and the time:
#   docker build --build-arg REVISION=$(git rev-parse HEAD) --build-arg CREATED=$(date -u +%FT%TZ) -t pgdir .

# Node.js 24, the current LTS line (pgdir needs 22 or later).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript, then keep production dependencies only ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: dependencies ship prebuilt binaries, and `prepare` would build too early.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

# ---- runtime ----
FROM ${NODE_IMAGE}
ARG NODE_IMAGE
# The default is package.json's version (test/daemon-packaging.test.ts keeps them equal).
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="pgdir" \
      org.opencontainers.image.description="A standalone LDAP directory server backed by PostgreSQL" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/${NODE_IMAGE}"
# Docker publishes ports with the client's own address, so the allowlist admits private networks
# by default; narrow it (or widen it deliberately) for your deployment.
ENV NODE_ENV=production \
    PGDIR_DATA_DIR=/var/lib/pgdir \
    PGDIR_LDAP__LISTEN=ldaps://0.0.0.0:6360 \
    PGDIR_HTTP__LISTEN=0.0.0.0:8080 \
    PGDIR_LOG__FORMAT=json \
    PGDIR_LDAP__ALLOWLIST=127.0.0.1,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config/pgdir.example.yaml /etc/pgdir/pgdir.example.yaml
RUN ln -s /app/bin/pgdir.js /usr/local/bin/pgdir \
 && install -d -m 0700 -o node -g node /var/lib/pgdir
USER node
VOLUME ["/var/lib/pgdir"]
EXPOSE 6360 8080
STOPSIGNAL SIGTERM
# A small script, not the CLI: every 30 s it costs one short node process and one HTTP request.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["node", "/app/bin/pgdir-healthcheck.js"]
ENTRYPOINT ["pgdir"]
CMD ["serve"]
