# In the BitBroker clone, after `npm ci`: dist/bitbroker-0.1.0.tgz (ES modules + .d.ts, no executable)
(cd "$BITBROKER" && bun run pack typescript)
# In your project's folder:
npm init -y
npm pkg set type=module
npm install "$BITBROKER/dist/bitbroker-0.1.0.tgz"
# For TypeScript only (game.ts below): the compiler and Node's types
npm install --save-dev typescript@5.9.3 @types/node@20.19.43
