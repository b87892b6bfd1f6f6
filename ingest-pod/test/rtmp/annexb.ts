// NAL unit types in an Annex B access unit (H.264), for the parameter-set checks.

export function h264NalTypes(data: Uint8Array): number[] {
  const types: number[] = [];
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      types.push(data[i + 3]! & 0x1f);
      i += 3;
    }
  }
  return types;
}

/** NAL unit types in an Annex B access unit (H.265). */
export function h265NalTypes(data: Uint8Array): number[] {
  const types: number[] = [];
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      types.push((data[i + 3]! >> 1) & 0x3f);
      i += 3;
    }
  }
  return types;
}
