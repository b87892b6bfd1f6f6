import { readFile } from 'node:fs/promises';
import { ConfigError, INGEST_CONFIG_ENV, type IngestConfig, parseIngestConfig } from '@tributary/crds';
import type { Env } from './resolve-input.js';

/**
 * The Stream config of this pod: the `--config` file when given, else env TRIBUTARY_STREAM.
 * Throws a ConfigError that names every bad field, or says where the config was expected.
 */
export async function loadIngestConfig(configFile: string | undefined, env: Env): Promise<IngestConfig> {
  let text: string;
  let origin: string;
  if (configFile !== undefined) {
    origin = configFile;
    try {
      text = await readFile(configFile, 'utf8');
    } catch (error) {
      throw new ConfigError([
        { field: '', message: `cannot read ${configFile}: ${(error as Error).message}` },
      ]);
    }
  } else {
    origin = `env ${INGEST_CONFIG_ENV}`;
    const value = env[INGEST_CONFIG_ENV];
    if (value === undefined || value.trim() === '') {
      throw new ConfigError([
        { field: '', message: `no Stream config: pass --config <file> or set ${INGEST_CONFIG_ENV}` },
      ]);
    }
    text = value;
  }
  const parsed = parseIngestConfig(text);
  if (parsed instanceof ConfigError) {
    throw new ConfigError(parsed.problems.map((p) => ({ ...p, message: `${p.message} (in ${origin})` })));
  }
  return parsed;
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** `host:port`, `[v6]:port` or `:port`; the default is every interface on 8080. */
export function parseListen(text: string | undefined): ListenAddress {
  if (text === undefined || text === '') return { host: '0.0.0.0', port: 8080 };
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    throw new ConfigError([{ field: 'listen', message: `expected host:port, got "${text}"` }]);
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}
