// Prisma CLI config for the bridge service: wasm schema engine through the pg driver adapter (no downloaded engines).
import path from 'node:path';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  async adapter() {
    const { pgAdapter } = await import('@balanceai/platform');
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is required for migrations');
    return pgAdapter(url);
  },
});
