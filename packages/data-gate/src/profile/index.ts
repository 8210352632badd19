export { type ColumnProfile, type DataProfile, FIXED_EDGES, PROFILE_FORMAT, PROFILE_VERSION, fixedBin, isProfileFile, parseProfile, readProfile, readProfileLean, serializeProfile } from './profile-format';
export { ProfileBuilder, type ProfileOptions, profileTable, writeProfile } from './profile-builder';
export { mergeMoments, mergeProfiles } from './merge-profiles';
export { type FixedEdgeDrift, fixedEdgeDrift, histogramOnFixedEdges } from './profile-drift';
export { NEEDS_RAW_REFERENCE, runAgainstProfile } from './profile-gate';
