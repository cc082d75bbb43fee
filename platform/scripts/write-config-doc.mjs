// Writes docs/configuration.md from the settings' schemas (npm run docs:config).
import { writeFileSync } from 'node:fs';
import { renderConfigurationDoc } from '../dist/config/configDoc.js';

const target = new URL('../../docs/configuration.md', import.meta.url);
writeFileSync(target, renderConfigurationDoc());
console.log(`wrote ${target.pathname}`);
