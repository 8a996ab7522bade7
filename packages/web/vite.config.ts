import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into packages/web/dist and served by the hookscribe server at `/` (packages/server/src/web-ui).
// `npm run dev -w packages/web` proxies /api to a server on HOOKSCRIBE_URL (default http://127.0.0.1:8080).
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: { '/api': process.env.HOOKSCRIBE_URL ?? 'http://127.0.0.1:8080' },
  },
});
