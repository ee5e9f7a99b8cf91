// Stops `npm start` and `npm test` early, with a plain message, when the Node that npm scripts run is older than
// the project's LTS. (Written to run on old Node versions too: it is the one script that may.)
'use strict';
const wanted = require('../package.json').engines.node; // "^24.11.0"
const [wantMajor, wantMinor] = wanted.replace(/^\D+/, '').split('.').map(Number);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < wantMajor || (major === wantMajor && minor < wantMinor)) {
  console.error(
    `This project runs on Node ${wanted.replace(/^\^/, '')} or later, but npm scripts found Node ${process.version} (${process.execPath}).\n` +
      `On Linux x64/arm64, \`npm ci\` installs Node ${wantMajor} as node_modules/.bin/node; elsewhere install it (see .nvmrc: nvm use).`,
  );
  process.exit(1);
}
