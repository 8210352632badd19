export { type FileDigest, type HashAlgorithm, type HashOptions, hashFile } from './file-hash';
export { type DvcDirEntry, compareCodePoints, dvcDirHash, dvcDirListingJson, isDvcTextFile } from './dvc-hash';
export { type DvcOut, parseDvcFile, verifyDvcFile } from './dvc-file';
export { type ManifestEntry, type VerifyManifestOptions, parseSha256Manifest, skipHidden, verifySha256Manifest, walkFiles } from './sha256-manifest';
export { type ProvenanceCheck, type ProvenanceResult, provenanceMetrics } from './provenance-result';
export { type ProvenanceKind, provenanceKindOf, verifyProvenance } from './verify-provenance';
export { type Sha256Manifest, buildSha256Manifest, dvcDirectoryOut, skipDvcInternals } from './build-manifest';
