/**
 * The services' compiled entry points, relative to the package root: what the
 * containers run (`node <entry>` in the backend image) and what the local
 * stack and the tests start. The npm scripts and backend/Dockerfile name the
 * same files.
 */
export const SERVICE_ENTRY_POINTS = {
  gateway: 'dist/backend/gateway/main.js',
  engine: 'dist/backend/engineService/main.js',
  migrate: 'dist/backend/db/main.js',
} as const;
