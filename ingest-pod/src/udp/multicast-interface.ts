import { isIP } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { ReaderError } from '../reader/packet-reader.js';

export type InterfaceTable = Record<string, NetworkInterfaceInfo[] | undefined>;

/**
 * Pure: turns `iface=` (an address or an interface name) into what Node's membership calls take:
 * an IPv4 address for IPv4 groups, `::%<name>` (the scope selects the interface) for IPv6 groups.
 * `undefined` lets the kernel pick the interface from the routing table.
 */
export function resolveMulticastInterface(
  iface: string | undefined,
  family: 4 | 6,
  table: InterfaceTable,
): string | undefined {
  if (iface === undefined) return undefined;
  const wanted = family === 4 ? 'IPv4' : 'IPv6';
  if (isIP(iface) !== 0) {
    if (isIP(iface) !== family) {
      throw new ReaderError(`iface ${iface} is not an ${wanted} address but the group is ${wanted}`, false);
    }
    if (family === 4) return iface;
    for (const [name, addresses] of Object.entries(table)) {
      if (addresses?.some((a) => a.family === 'IPv6' && a.address === iface)) return `::%${name}`;
    }
    throw new ReaderError(`no local interface has the address ${iface}`, false);
  }
  const addresses = table[iface];
  if (addresses === undefined) {
    const known = Object.keys(table).join(', ');
    throw new ReaderError(`network interface '${iface}' does not exist (have: ${known})`, false);
  }
  if (family === 6) return `::%${iface}`;
  const v4 = addresses.find((a) => a.family === 'IPv4');
  if (v4 === undefined) throw new ReaderError(`network interface '${iface}' has no IPv4 address`, false);
  return v4.address;
}
