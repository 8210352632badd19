export const GATE_NAME = 'data-gate';
