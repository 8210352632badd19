export const GATE_NAME = 'scan-pickle';
