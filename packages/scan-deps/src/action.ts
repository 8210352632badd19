import { runAction } from '@aisec/github';
import { scanDepsBinding } from './binding';

void runAction(scanDepsBinding);
