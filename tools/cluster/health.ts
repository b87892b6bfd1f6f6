import http from 'node:http';
import https from 'node:https';

export interface HealthTarget {
  url: string;
  /** PEM CA to trust; without it an https target is checked without verifying its certificate. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

/** GET the URL once; resolves with the status code and body, rejects on connection errors. */
export function httpGet(target: HealthTarget, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  const url = new URL(target.url);
  const options: https.RequestOptions = { method: 'GET', timeout: timeoutMs };
  if (url.protocol === 'https:') {
    options.ca = target.ca;
    options.cert = target.cert;
    options.key = target.key;
    options.rejectUnauthorized = target.ca !== undefined;
  }
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = lib.request(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${target.url} timed out`)));
    request.on('error', reject);
    request.end();
  });
}

/** True when the endpoint answers 200. */
export async function isHealthy(target: HealthTarget): Promise<boolean> {
  try {
    return (await httpGet(target)).status === 200;
  } catch {
    return false;
  }
}
