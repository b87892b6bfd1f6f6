export * from './avpacket.js';
export * from './packet-reader.js';
