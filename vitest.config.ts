import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const r = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^vn-national-gateway$/, replacement: r('./src/index.ts') },
      { find: /^vn-national-gateway\/adapters$/, replacement: r('./adapters/index.ts') },
      { find: /^vn-national-gateway\/testing$/, replacement: r('./src/testing/index.ts') },
      { find: /^vn-national-gateway\/identifiers$/, replacement: r('./src/identifiers/index.ts') },
      { find: /^vn-national-gateway\/undici$/, replacement: r('./src/undici.ts') },
      { find: /^vn-national-gateway\/fastify$/, replacement: r('./src/fastify.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    restoreMocks: true,
  },
});
