// SDP fmtp parameter sets: `sprop-parameter-sets` (H.264) and `sprop-vps/sps/pps` (H.265) are
// comma-separated base64 NAL units.

/** The NAL units of one fmtp value, or a reason naming the parameter. */
export function parseSprop(name: string, value: string): Uint8Array[] | string {
  const units: Uint8Array[] = [];
  for (const part of value.split(',')) {
    const text = part.trim();
    if (text === '') continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return `fmtp ${name}: ${JSON.stringify(text)} is not base64`;
    const unit = new Uint8Array(Buffer.from(text, 'base64'));
    if (unit.length > 0) units.push(unit);
  }
  return units;
}
