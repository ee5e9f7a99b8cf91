# The image's Node is the one the project runs everywhere (.nvmrc, package.json "engines" and the node-linux-*
# runtime packages); Renovate moves them together (renovate.json, group "Node.js runtime").
# Build stage. No toolchain is needed: every native addon ships prebuilt (better-sqlite3 13, @node-rs/*).
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
# The image has its own Node, so the registry's copy of Node (an optional dependency, for machines whose Node is
# older) is dropped with the dev dependencies.
RUN npm run build && npm prune --omit=dev && rm -rf node_modules/node-linux-* node_modules/.bin/node

FROM node:24.22.3-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 4433 4434
# Migrations apply at start (under a database lock). To run them from a Job or an init container instead, with
# DATABASE_AUTO_MIGRATE=false on the service: node dist/cli.js migrate up   (and: node dist/cli.js migrate status)
CMD ["node", "dist/main.js"]
