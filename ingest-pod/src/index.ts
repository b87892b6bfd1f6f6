export * from './avpacket.js';
export * from './reader/packet-reader.js';
