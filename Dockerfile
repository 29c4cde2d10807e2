# One image per app: docker build --build-arg APP=contacts -t custodian-contacts .
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc .swcrc turbo.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
# The project's own Node pin (the `node` npm package) is not needed inside the official image.
RUN npm install --no-audit --no-fund --omit=optional --ignore-scripts=false \
 && npm run build \
 && npm prune --omit=dev

FROM node:24-bookworm-slim
ARG APP
ENV NODE_ENV=production HTTP_HOST=0.0.0.0 APP=${APP}
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages ./packages
COPY --from=build /src/apps/${APP} ./apps/${APP}
COPY --from=build /src/package.json ./package.json
USER node
CMD ["sh", "-c", "exec node --enable-source-maps apps/${APP}/dist/main.js"]
