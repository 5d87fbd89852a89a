/** What the shipper needs from a logger; a pino logger fits, and so does `console`. */
export interface ShipperLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Every line says it comes from the dev stand-in, so nobody mistakes it for Fluent Bit. */
export const LOG_PREFIX = '[dev-shipper]';

export function consoleLogger(): ShipperLogger {
  return {
    info: (message) => console.log(`${LOG_PREFIX} ${message}`),
    warn: (message) => console.warn(`${LOG_PREFIX} ${message}`),
    error: (message) => console.error(`${LOG_PREFIX} ${message}`),
  };
}
