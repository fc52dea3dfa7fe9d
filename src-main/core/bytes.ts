/** A size for people, in limits' messages: "256 MiB", "58.6 KiB", "12 bytes". */
export function humanBytes(bytes: number): string {
  const [n, unit] = bytes >= 2 ** 20 ? [bytes / 2 ** 20, 'MiB'] : bytes >= 1024 ? [bytes / 1024, 'KiB'] : [bytes, 'bytes'];
  return `${Math.round(n * 10) / 10} ${unit}`;
}
