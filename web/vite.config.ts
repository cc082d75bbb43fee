import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// Run from web/ (`npm run build -w web`). Relative asset URLs keep the build path-independent;
// the domain is bundled from source so the web build needs no prior `tsc -b`.
export default defineConfig({
  base: './',
  plugins: [svelte({ configFile: false })],
  resolve: { alias: { '@primetrade/domain': new URL('../domain/src/index.ts', import.meta.url).pathname } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000', '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true } },
  },
});
