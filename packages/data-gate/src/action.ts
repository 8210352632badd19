import { runAction } from '@aisec/github';
import { dataGateBinding } from './gate/binding';

void runAction(dataGateBinding);
