/** aisec's release version; a test keeps it equal to the root package.json. */
export const AISEC_VERSION = '0.1.0';
export const AISEC_INFORMATION_URI = 'https://github.com/aisec/aisec';
