// uuidFromSha1Hex lays 16 bytes of a SHA-1 out as an RFC 4122 version 5 UUID.
export function uuidFromSha1Hex(hex: string): string {
    const variant: number = (parseInt(hex[16], 16) & 0x3) | 0x8
    return [
        hex.slice(0, 8),
        hex.slice(8, 12),
        '5' + hex.slice(13, 16),
        variant.toString(16) + hex.slice(17, 20),
        hex.slice(20, 32),
    ].join('-')
}
