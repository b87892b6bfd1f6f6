import type { LinkStats } from '../reader/reader-api.js';

/** Byte offsets of the SRT_TRACEBSTATS fields LinkStats is made of (from the koffi layout). */
export interface StatsOffsets {
  pktRecvTotal: number;
  pktRcvLossTotal: number;
  pktRcvDropTotal: number;
  pktRcvRetrans: number;
  mbpsRecvRate: number;
  msRTT: number;
  mbpsBandwidth: number;
  msRcvBuf: number;
  msRcvTsbPdDelay: number;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Pure: LinkStats from one srt_bistats(clear = 1, instantaneous = 1) result. Totals come from the
 * *Total fields, which clearing does not reset. libsrt keeps no total of retransmitted packets
 * received, only the per-interval pktRcvRetrans, so the caller sums those: `retransmittedBefore`
 * is the sum over earlier intervals. The receive rate is over the interval since the last call.
 */
export function readLinkStats(stats: Buffer, at: StatsOffsets, retransmittedBefore: number): LinkStats {
  return {
    rttMs: round(stats.readDoubleLE(at.msRTT), 3),
    bandwidthMbps: round(stats.readDoubleLE(at.mbpsBandwidth), 3),
    receiveRateMbps: round(stats.readDoubleLE(at.mbpsRecvRate), 3),
    packetsReceived: Number(stats.readBigInt64LE(at.pktRecvTotal)),
    packetsLost: stats.readInt32LE(at.pktRcvLossTotal),
    packetsRetransmitted: retransmittedBefore + stats.readInt32LE(at.pktRcvRetrans),
    packetsDropped: stats.readInt32LE(at.pktRcvDropTotal),
    receiveBufferMs: stats.readInt32LE(at.msRcvBuf),
    latencyMs: stats.readInt32LE(at.msRcvTsbPdDelay),
  };
}
