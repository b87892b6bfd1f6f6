/** Longest Stream/VodMount name: leaves room for pod-name suffixes and still fits a 63-char label. */
export const MAX_NAME_LENGTH = 52;

/** RFC 1035 label as Kubernetes checks it: lower-case alphanumerics and '-', starting with a letter. */
export const DNS1035_LABEL_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
const dns1035Label = new RegExp(DNS1035_LABEL_PATTERN);

/** True when `name` can be a Stream or VodMount name (and so a NATS token, a route key part, a host). */
export function isResourceName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && dns1035Label.test(name);
}

/** Names a Kubernetes namespace may have (RFC 1123 label, at most 63 characters). */
export const DNS1123_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const dns1123Label = new RegExp(DNS1123_LABEL_PATTERN);

export function isNamespaceName(name: string): boolean {
  return name.length <= 63 && dns1123Label.test(name);
}

/** A POSIX-portable environment variable name, as used for secrets handed to the ingest pod. */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

/** True when `text` has whitespace or a control character, which no URL or subject may contain. */
export function hasSpaceOrControl(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x20 || code === 0x7f || /\s/.test(char)) return true;
  }
  return false;
}
