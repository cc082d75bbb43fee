import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigurationDoc } from './configDoc.js';

describe('docs/configuration.md', () => {
  it('is what the settings say (regenerate with `npm run docs:config`)', () => {
    const onDisk = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderConfigurationDoc());
  });

  it('documents every setting with its default and what it accepts', () => {
    const doc = renderConfigurationDoc();
    expect(doc).toContain('| `PORT` | `3000` | integer 0–65535 |');
    expect(doc).toContain('| `MODE` | `embedded` | `embedded`, `cluster` |');
    expect(doc).toContain('| `REPLAY_WEBHOOK_SECRET` | — |');
  });
});
