import { runAction } from '@aisec/github';
import { scanPickleBinding } from './gate/binding';

void runAction(scanPickleBinding);
