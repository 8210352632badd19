export { runAction, type RunActionOptions } from './runner';
export { RUNNER_INPUTS } from './action-inputs';
export { publishCheckRun, ANNOTATIONS_PER_REQUEST, CHECK_OUTPUT_MAX_BYTES } from './check-run';
export { upsertPullRequestComment, commentMarker } from './pr-comment';
export { emitAnnotations, SHOWN_PER_LEVEL } from './workflow-annotations';
export { createGitHubClient } from './octokit';
