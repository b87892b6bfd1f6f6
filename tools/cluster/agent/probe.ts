import { execFile } from 'node:child_process';
import net from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import { httpGet } from '../health.js';

/** One probe attempt: true when the container passes. */
export type ProbeCheck = () => Promise<boolean>;

function resolvePort(container: V1Container, port: number | string): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`probe port "${port}" is not a named port of container ${container.name}`);
  return named.containerPort;
}

/** Turns a pod-spec probe into a check against the local process (host defaults to the pod IP). */
export function probeCheck(
  probe: V1Probe,
  container: V1Container,
  podIP: string,
  env: Record<string, string>,
): ProbeCheck {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const get = probe.httpGet;
    const scheme = (get.scheme ?? 'HTTP').toLowerCase();
    const host = get.host ?? podIP;
    const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${resolvePort(container, get.port)}${get.path ?? '/'}`;
    return async () => {
      try {
        const { status } = await httpGet({ url }, timeoutMs);
        return status >= 200 && status < 400;
      } catch {
        return false;
      }
    };
  }
  if (probe.tcpSocket) {
    const port = resolvePort(container, probe.tcpSocket.port);
    const host = probe.tcpSocket.host ?? podIP;
    return () =>
      new Promise((resolve) => {
        const socket = net.connect({ host, port, timeout: timeoutMs });
        const done = (ok: boolean) => {
          socket.destroy();
          resolve(ok);
        };
        socket.once('connect', () => done(true));
        socket.once('timeout', () => done(false));
        socket.once('error', () => done(false));
      });
  }
  if (probe.exec?.command?.length) {
    const [command, ...args] = probe.exec.command as [string, ...string[]];
    return () =>
      new Promise((resolve) => {
        execFile(command, args, { env, timeout: timeoutMs }, (error) => resolve(!error));
      });
  }
  throw new Error(`container ${container.name}: probe has no httpGet, tcpSocket or exec handler`);
}
