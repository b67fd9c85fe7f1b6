# The Switchboard service: API, web panel and socket.io on one port.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --include=dev
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund
USER node
EXPOSE 3000
CMD ["node", "--enable-source-maps", "--max-semi-space-size=8", "dist/main.js"]
