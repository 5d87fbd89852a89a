import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The gateway serves the production build at / and owns /graphql; in development Vite serves
// the app and forwards /graphql (HTTP, SSE and graphql-ws WebSocket) to a gateway on 8000.
const gateway = process.env.LOGPULSE_GATEWAY ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    strictPort: true,
    proxy: { '/graphql': { target: gateway, ws: true, changeOrigin: true } },
  },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 900 },
});
