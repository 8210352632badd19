export { cvssBaseScore, type CvssScore } from './cvss-score';
export { severityOf, severityFromScore, type SeverityAssessment } from './severity';
