import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server proxies /api and /_dev to a running stva-dev (STVA_API, default :3000),
// so `npm run dev` gets hot reload while the Rust backend serves the API.
const api = process.env.STVA_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': api,
      '/_dev': api,
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: false,
  },
});
