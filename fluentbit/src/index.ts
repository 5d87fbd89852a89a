// The dev stand-in for Fluent Bit (`npm start` runs it when no Fluent Bit is around).
export { startShipper, ShipperOptionsError } from './shipper.ts';
export type { Shipper, ShipperOptions, ShipperStats } from './shipper.ts';
export type { ShipperLogger } from './logger.ts';
