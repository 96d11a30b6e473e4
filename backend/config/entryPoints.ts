/**
 * The services' compiled entry points, relative to the package root, and the
 * command that runs each: what the containers run (the Pulumi components and
 * the backend image's default) and what the local stack and the tests start.
 * The npm scripts and backend/Dockerfile name the same commands (a test checks).
 */
export const SERVICE_ENTRY_POINTS = {
  gateway: 'dist/backend/gateway/main.js',
  engine: 'dist/backend/engineService/main.js',
  migrate: 'dist/backend/db/main.js',
} as const;

export type ServiceName = keyof typeof SERVICE_ENTRY_POINTS;

/** The command that runs `service` in a container. */
export function serviceCommand(service: ServiceName): string[] {
  return ['node', SERVICE_ENTRY_POINTS[service]];
}
