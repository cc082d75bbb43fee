import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../supervisor.js';
import { renderNginxConfig } from './render.js';
import { deployConfigs } from './targets.js';

/** `npm run nginx:render`: writes the compose and Kubernetes configurations from the template. */
for (const { file, target } of deployConfigs) {
  await writeFile(path.join(repoRoot, file), renderNginxConfig(target));
  process.stdout.write(`wrote ${file}\n`);
}
