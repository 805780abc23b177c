import { join } from 'node:path';

/**
 * The `hexastore.v1` protocol file. The build copies it beside the compiled code, so the same
 * relative path serves the sources and the build.
 */
export const STORE_PROTO_FILE = join(__dirname, '..', 'hexastore', 'v1', 'store.proto');

/** How the service loads it (field names in lowerCamelCase, 64-bit numbers as JS numbers). */
export const STORE_PROTO_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;
